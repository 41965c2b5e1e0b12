//! The binary's memory allocator: mimalloc for small blocks, the system's (glibc's) for large
//! ones.
//!
//! A build makes and frees millions of small strings, vectors and maps; glibc's malloc spent
//! about a quarter of an HTML build's instructions on them, and mimalloc's per-thread free
//! lists take 17 to 20% off the build's CPU time (2,000 and 5,000 generated pages, HTML and
//! PDFs). A few buffers grow large (pulldown-cmark's tree of a 4 MB page reaches 200 MB):
//! glibc grows those in place (`mremap`), while mimalloc would copy each into a new block and
//! hold both for a moment, 370 MB for that page against glibc's 150. So a block is the
//! system's from [`LARGE`] bytes up, and mimalloc's below; a block that crosses the line when
//! it grows or shrinks is moved to the other allocator. The line is low: blocks of 32 kB and
//! more are few and cost glibc little, and mimalloc's spans for them held more memory (a
//! 5,000-page build's peak was 288 MB with the line at 256 kB, 261 MB at 32 kB, 250 MB with
//! glibc alone), for the same speed.
//!
//! Which allocator owns a block follows from its size alone: Rust gives `dealloc` and
//! `realloc` the layout the block was allocated with.

use std::alloc::{GlobalAlloc, Layout, System};

use mimalloc::MiMalloc;

/// The size from which a block is the system allocator's (glibc maps the largest on their
/// own, which is what lets it grow them in place).
pub const LARGE: usize = 32 * 1024;

/// mimalloc below [`LARGE`] bytes, the system allocator from there.
pub struct Split;

fn large(size: usize) -> bool {
    size >= LARGE
}

// SAFETY: every block is allocated, reallocated and freed by the allocator its size names
// (`large`), with the layout it was allocated with; a block that changes owner on realloc is
// copied into a block of the new owner (the smaller of the two sizes) and freed by the old.
unsafe impl GlobalAlloc for Split {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout (non-zero size, per the trait's contract).
        unsafe {
            if large(layout.size()) {
                System.alloc(layout)
            } else {
                MiMalloc.alloc(layout)
            }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as `alloc`.
        unsafe {
            if large(layout.size()) {
                System.alloc_zeroed(layout)
            } else {
                MiMalloc.alloc_zeroed(layout)
            }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated with `layout`, so by the allocator `large` names.
        unsafe {
            if large(layout.size()) {
                System.dealloc(ptr, layout)
            } else {
                MiMalloc.dealloc(ptr, layout)
            }
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let (was, will) = (large(layout.size()), large(new_size));
        // SAFETY: same owner: forwarded. Another owner: a block of `new_size` (a valid layout:
        // the trait's contract for `new_size` and `layout.align()`) from the new owner, the
        // bytes both blocks hold copied (they do not overlap: two live blocks), the old block
        // freed by its owner with its layout.
        unsafe {
            match (was, will) {
                (true, true) => System.realloc(ptr, layout, new_size),
                (false, false) => MiMalloc.realloc(ptr, layout, new_size),
                _ => {
                    let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
                    let new = self.alloc(new_layout);
                    if !new.is_null() {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                    new
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Blocks that grow and shrink across the line keep their bytes, at any alignment.
    #[test]
    fn a_block_keeps_its_bytes_across_the_line() {
        let a = Split;
        for align in [1, 8, 64, 4096] {
            for (from, to) in [
                (100, LARGE - 1),
                (LARGE - 1, LARGE),
                (1000, LARGE * 3),
                (LARGE * 3, 1000),
                (LARGE, LARGE * 2),
                (LARGE * 2, LARGE + 1),
            ] {
                let layout = Layout::from_size_align(from, align).unwrap();
                // SAFETY: a non-zero layout; the block is written within its size, grown and
                // shrunk with its current layout, and freed with the last one.
                unsafe {
                    let p = a.alloc(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0);
                    for i in 0..from {
                        *p.add(i) = (i % 251) as u8;
                    }
                    let q = a.realloc(p, layout, to);
                    assert!(!q.is_null());
                    assert_eq!(q as usize % align, 0);
                    for i in 0..from.min(to) {
                        assert_eq!(*q.add(i), (i % 251) as u8, "{from}->{to} at {i}");
                    }
                    a.dealloc(q, Layout::from_size_align(to, align).unwrap());
                    let z = a.alloc_zeroed(layout);
                    assert!((0..from).all(|i| *z.add(i) == 0));
                    a.dealloc(z, layout);
                }
            }
        }
    }
}
