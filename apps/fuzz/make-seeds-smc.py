#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seeds of fuzz_llc (corpus/llc) and fuzz_cdc (corpus/cdc): the LLC and CDC
messages of pcap-tests/fixtures/rxe/smc_ueid-linux6.12.pcap (the RC SEND payloads, as
`tshark -T fields -e udp.payload` shows them), framed as the targets read their input."""
import os
import sys

LLC = {  # frame: payload
    'confirm-link-req': '212c000352540077000200000000000000000000ffff0a4d0002000011010000'
                        '010102ff0000000000000000',
    'confirm-link-rsp': '212c008352540077000300000000000000000000ffff0a4d0003000011010000'
                        '010102ff0000000000000000',
    'add-link-v2': '22580000525400770002000000000000000000000000ffff0a4d000200001202'
                   '03a22f900000000000000000800000000000000000000000ffff0a4d00020000'
                   '0000000000000100000003e400000590ff2eb877eead0000',
    'add-link-rej': '222c00c0525400770002000000000000000000000000ffff0a4d000200001202'
                    '03a22f900000000000000000',
    'delete-rkey': '292c0000010000000000032a' + '00' * 32,
    'delete-rkey-rsp': '292c008001' + '00' * 39,
    'test-link-v1': '072c0000' + '5a' * 16 + '00' * 24,
    'test-link-v2-rsp': '272c0080' + '5a' * 16 + '00' * 24,
    'confirm-rkey-v1': '062c0000' + '00deadbeef1122334455667788' + '00' * 27,
    'delete-link-v2': '242c0040' + '0100010000' + '00' * 35,
    'add-link-cont-v1': '032c0000' + '0202' + '00' * 38,
}
CDC = {
    'data': 'fe2c000100000001000000000000400000000000000000000000000000000000' + '00' * 12,
    'cons-update': 'fe2c000100000001000000000000400000000000000040000000000000000000'
                   + '00' * 12,
    'close': 'fe2c000200000001000000000000400000000000000040000040000000000000' + '00' * 12,
    'done-writing': 'fe2c000100000001000000000000001000000000000000000080' + '00' * 18,
    'abort': 'fe2c000100000001000000000000000000000000000000000020' + '00' * 18,
    'blocked': 'fe2c000100000001000000000000000000000000000000008000' + '00' * 18,
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    for side in (0, 1):
        d = os.path.join(here, 'corpus', 'llc')
        os.makedirs(d, exist_ok=True)
        for name, hexs in LLC.items():
            b = bytes.fromhex(hexs)
            with open(os.path.join(d, f'{name}-{side}'), 'wb') as f:
                f.write(bytes([side, len(b)]) + b)
        d = os.path.join(here, 'corpus', 'cdc')
        os.makedirs(d, exist_ok=True)
        for name, hexs in CDC.items():
            b = bytes.fromhex(hexs)
            assert len(b) == 44, name
            # token and sequence fixed up, data first, 1 ms after
            with open(os.path.join(d, f'{name}-{side}'), 'wb') as f:
                f.write(bytes([0x1e | side]) + b)
    return 0


if __name__ == '__main__':
    sys.exit(main())
