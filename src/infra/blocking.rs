//! Work that would stall an async worker thread: RS256 signing, SRP arithmetic, WebAuthn and
//! imported-hash checks, and waits for a Lambda trigger or KMS. Operations are synchronous;
//! this is where their blocking parts step off the runtime's async threads.
//!
//! Operations that sign or may wait run on the blocking pool, inside a [`Scope`]
//! (`service.rs` decides). Blocking work anywhere goes through [`section`]: on such a thread
//! it runs at once; on a multi-thread runtime's worker (an operation that blocks only
//! sometimes, such as setting a password, which computes its SRP verifier) it runs through
//! `block_in_place`, which first hands the worker's other tasks to another thread. That
//! hand-off costs more than the hop to the blocking pool (it starts a thread for the worker's
//! tasks), so operations that usually block take the hop. Debug builds also count the pool
//! guards a thread holds and fail any section entered under one.

use std::cell::Cell;

use tokio::runtime::{Handle, RuntimeFlavor};

thread_local! {
    /// Set on threads that may block: blocking-pool threads running an operation or a page's
    /// work, and a worker inside [`section`].
    static MAY_BLOCK: Cell<bool> = const { Cell::new(false) };
    /// Pool guards this thread holds (debug builds count them; see `idp::store::Pool`).
    static POOL_GUARDS: Cell<u32> = const { Cell::new(0) };
}

/// Marks the current (blocking-pool) thread as one that may block while it lives.
pub struct Scope {
    was: bool,
}

impl Scope {
    pub fn enter() -> Self {
        Self {
            was: MAY_BLOCK.with(|s| s.replace(true)),
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        MAY_BLOCK.with(|s| s.set(self.was));
    }
}

/// Whether this thread may block now: a blocking-pool thread inside a [`Scope`].
pub fn may_block() -> bool {
    MAY_BLOCK.with(Cell::get)
}

/// Whether [`section`] can hand this thread's async work to another thread: a thread of a
/// multi-thread runtime. A current-thread runtime (the default of `#[tokio::test]`) cannot:
/// there, operations that may block run on the blocking pool instead.
pub fn can_hand_off() -> bool {
    Handle::try_current()
        .is_ok_and(|runtime| runtime.runtime_flavor() == RuntimeFlavor::MultiThread)
}

/// Whether this thread may block, at once or through [`section`].
pub fn can_block() -> bool {
    may_block() || can_hand_off()
}

/// Runs blocking `work`: at once where this thread may block (or cannot hand off: no runtime,
/// or a current-thread one), else through `block_in_place`, inside a [`Scope`].
pub fn section<T>(work: impl FnOnce() -> T) -> T {
    debug_assert_eq!(
        pool_guards_held(),
        0,
        "blocking work (crypto, a wait) ran under a pool lock"
    );
    if may_block() || !can_hand_off() {
        return work();
    }
    tokio::task::block_in_place(|| {
        let _scope = Scope::enter();
        work()
    })
}

/// Counts a pool guard taken on this thread (debug builds), so blocking under a lock (a
/// signature, a trigger's invocation) fails every test that reaches it.
pub fn pool_guard_taken() {
    if cfg!(debug_assertions) {
        POOL_GUARDS.with(|g| g.set(g.get() + 1));
    }
}

pub fn pool_guard_released() {
    if cfg!(debug_assertions) {
        POOL_GUARDS.with(|g| g.set(g.get().saturating_sub(1)));
    }
}

/// How many pool guards this thread holds (always 0 in release builds).
pub fn pool_guards_held() -> u32 {
    POOL_GUARDS.with(Cell::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_runtime_work_runs_at_once() {
        assert!(!can_block());
        assert!(!section(may_block));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_worker_hands_off_and_may_block_inside() {
        assert!(!may_block() && can_block());
        assert!(section(may_block));
        assert!(!may_block());
    }

    #[tokio::test]
    async fn a_current_thread_runtime_cannot_hand_off() {
        assert!(!can_block());
        assert!(!section(may_block));
        let _scope = Scope::enter();
        assert!(can_block() && section(may_block));
    }
}
