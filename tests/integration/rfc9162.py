"""RFC 6962 / RFC 9162 Merkle proofs, checked independently of rekap's C
code: the tests' one verifier of inclusion and consistency proofs (import
it with sys.path.insert(0, <tests/integration>))."""
import hashlib


def node(a, b):
    """The hash of an interior node (RFC 6962 2.1)."""
    return hashlib.sha256(b"\x01" + a + b).digest()


def leaf(entry):
    """The hash of a leaf (RFC 6962 2.1)."""
    return hashlib.sha256(b"\x00" + entry).digest()


def verify_inclusion(index, size, leaf_hash, proof, root):
    """RFC 9162 2.1.3.2: leaf_hash is entry `index` of the tree of `size`."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(n1, n2, root1, root2, proof):
    """RFC 9162 2.1.4.2: the tree of n2 entries (root2) extends that of n1 (root1)."""
    if n1 == n2:
        return not proof and root1 == root2
    if n1 == 0:
        return not proof
    if not proof or n1 > n2:
        return False
    if n1 & (n1 - 1) == 0:
        proof = [root1] + proof
    fn, sn = n1 - 1, n2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2
