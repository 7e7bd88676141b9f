"""quicknet's BLS check in pure Python (py-ecc), for where drand-verify has no wheel.

quicknet's scheme is drand's `bls-unchained-g1-rfc9380`: the signature is a point of
G1 (48 bytes compressed), the public key a point of G2 (96 bytes), and the signed
message is SHA-256 of the round as 8 big-endian bytes, hashed to G1 by RFC 9380's
SSWU method with the tag below. The signature verifies when
e(signature, g2) = e(H(message), public key), checked as one product of two Miller
loops and one final exponentiation. About half a second a beacon; a draw needs one.
"""

from __future__ import annotations

import hashlib

QUICKNET_DST = b"BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"


def quicknet_message(round_number: int) -> bytes:
    return hashlib.sha256(round_number.to_bytes(8, "big")).digest()


def quicknet_signature_valid(*, round_number: int, signature: bytes, public_key: bytes) -> bool:
    """Whether `signature` (48 bytes) is quicknet's for the round, under `public_key` (96)."""
    from py_ecc.bls.hash_to_curve import hash_to_G1
    from py_ecc.bls.point_compression import decompress_G1, decompress_G2
    from py_ecc.optimized_bls12_381 import (
        FQ12,
        G2,
        b,
        b2,
        curve_order,
        final_exponentiate,
        is_inf,
        is_on_curve,
        multiply,
        neg,
        pairing,
    )

    if len(signature) != 48 or len(public_key) != 96:
        return False
    try:
        sig = decompress_G1(int.from_bytes(signature, "big"))
        key = decompress_G2(
            (int.from_bytes(public_key[:48], "big"), int.from_bytes(public_key[48:], "big"))
        )
    except ValueError:  # not a point's encoding, or not on the curve
        return False
    # Points of the right groups only (not the identity, not outside the r-torsion).
    for point, curve_b in ((sig, b), (key, b2)):
        if is_inf(point) or not is_on_curve(point, curve_b):
            return False
        if not is_inf(multiply(point, curve_order)):
            return False
    hashed = hash_to_G1(quicknet_message(round_number), QUICKNET_DST, hashlib.sha256)
    product = pairing(G2, sig, final_exponentiate=False) * pairing(
        neg(key), hashed, final_exponentiate=False
    )
    return final_exponentiate(product) == FQ12.one()
