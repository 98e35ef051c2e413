//! aws-lc's BIGNUM behind a safe interface: owned values freed on drop, and the Montgomery
//! context of `N` computed once.

use std::ptr::{null_mut, NonNull};
use std::sync::OnceLock;

use aws_lc_sys as sys;

/// An owned BIGNUM, wiped and freed on drop (it may hold a secret exponent).
struct Bn(NonNull<sys::BIGNUM>);

impl Bn {
    fn from_be(bytes: &[u8]) -> Bn {
        // SAFETY: `bytes` is valid for `bytes.len()` reads; a null `ret` makes aws-lc
        // allocate a new BIGNUM, which we then own.
        let raw = unsafe { sys::BN_bin2bn(bytes.as_ptr(), bytes.len(), null_mut()) };
        Bn(NonNull::new(raw).expect("BIGNUM allocation"))
    }

    fn new() -> Bn {
        // SAFETY: no arguments; the result is a fresh BIGNUM we own, or null.
        Bn(NonNull::new(unsafe { sys::BN_new() }).expect("BIGNUM allocation"))
    }

    fn to_be(&self) -> Vec<u8> {
        // SAFETY: `self.0` is a valid BIGNUM for as long as `self` lives.
        let len = unsafe { sys::BN_num_bytes(self.0.as_ptr()) } as usize;
        let mut out = vec![0u8; len];
        // SAFETY: `out` has exactly `BN_num_bytes` bytes, which is what BN_bn2bin writes.
        unsafe { sys::BN_bn2bin(self.0.as_ptr(), out.as_mut_ptr()) };
        out
    }
}

impl Drop for Bn {
    fn drop(&mut self) {
        // SAFETY: we own the BIGNUM and nothing else refers to it after this.
        unsafe { sys::BN_clear_free(self.0.as_ptr()) }
    }
}

/// Scratch space for one call; BN_CTX is not thread-safe, so never shared.
struct Ctx(NonNull<sys::BN_CTX>);

impl Ctx {
    fn new() -> Ctx {
        // SAFETY: no arguments; the result is a fresh BN_CTX we own, or null.
        Ctx(NonNull::new(unsafe { sys::BN_CTX_new() }).expect("BN_CTX allocation"))
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        // SAFETY: we own the BN_CTX and no BIGNUM borrowed from it outlives this call.
        unsafe { sys::BN_CTX_free(self.0.as_ptr()) }
    }
}

/// `N` and its Montgomery context.
struct Modulus {
    n: Bn,
    mont: NonNull<sys::BN_MONT_CTX>,
}

// SAFETY: built once, then only passed as `const` pointers to aws-lc, which does not
// modify them: concurrent readers on any thread are fine. Never freed (a static).
unsafe impl Send for Modulus {}
unsafe impl Sync for Modulus {}

static MODULUS: OnceLock<Modulus> = OnceLock::new();

fn modulus() -> &'static Modulus {
    MODULUS.get_or_init(|| {
        let n = Bn::from_be(&super::GROUP.n.to_bytes_be());
        let ctx = Ctx::new();
        // SAFETY: `n` and `ctx` are valid; the returned context (owned by the static
        // from here on) copies what it needs from `n`.
        let mont = unsafe { sys::BN_MONT_CTX_new_for_modulus(n.0.as_ptr(), ctx.0.as_ptr()) };
        Modulus {
            n,
            mont: NonNull::new(mont).expect("BN_MONT_CTX for N"),
        }
    })
}

/// `base^exp mod N` (big-endian bytes in and out); `base` must be below `N`.
/// `secret` selects the constant-time exponentiation (for `x` and `b`).
pub fn mod_exp_n(base: &[u8], exp: &[u8], secret: bool) -> Vec<u8> {
    let m = modulus();
    let (base, exp, out, ctx) = (Bn::from_be(base), Bn::from_be(exp), Bn::new(), Ctx::new());
    let f = if secret {
        sys::BN_mod_exp_mont_consttime
    } else {
        sys::BN_mod_exp_mont
    };
    // SAFETY: every pointer is a valid, live BIGNUM / BN_CTX / BN_MONT_CTX; `out` is
    // distinct from the inputs; `mont` was made for `m.n`. aws-lc reports a base not
    // below N (or an allocation failure) by returning 0, checked below.
    let ok = unsafe {
        f(
            out.0.as_ptr(),
            base.0.as_ptr(),
            exp.0.as_ptr(),
            m.n.0.as_ptr(),
            ctx.0.as_ptr(),
            m.mont.as_ptr(),
        )
    };
    assert_eq!(ok, 1, "BN_mod_exp_mont failed: base not reduced modulo N?");
    out.to_be()
}
