//! A page's inline references, which a page may keep elsewhere until something reads them.
//!
//! A page of the generated corpus holds 10 to 25 references, about 13 kB once parsed: twice
//! its text. A build of 5,000 pages whose pages come whole from the build cache would hold
//! 65 MB of references that nothing reads (a page taken whole is not resolved again), and a
//! cold build holds every page's references to the end, long after each page was rendered.
//! So a page's references may be *kept* in its cache file instead: the page knows how many it
//! has, and reads them back (checked, as the cache reads everything) the first time something
//! asks. Whoever reads them sees the same list either way.

use std::sync::{Arc, Mutex};

use crate::cite::Reference;

/// Reads a page's references back from where they were kept; `None` if they are no longer
/// there as written (the build that asked then fails, see [`PageReferences::lost`]).
pub type Reload = Arc<dyn Fn() -> Option<Vec<Reference>> + Send + Sync>;

/// A page's inline references, in the order written: in memory, or kept elsewhere.
pub struct PageReferences {
    len: usize,
    state: Mutex<State>,
}

#[derive(Clone)]
enum State {
    Here(Arc<[Reference]>),
    Kept(Reload),
    /// Kept, then not found as written: read as none.
    Lost,
}

impl PageReferences {
    pub fn new(refs: Vec<Reference>) -> PageReferences {
        PageReferences {
            len: refs.len(),
            state: Mutex::new(State::Here(refs.into())),
        }
    }

    /// References of which `len` are kept where `reload` reads them.
    pub fn kept(len: usize, reload: Reload) -> PageReferences {
        PageReferences {
            len,
            state: Mutex::new(State::Kept(reload)),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // A thread that panicked holding the lock left a whole state: every change is one
        // assignment.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The references, read back first if they were kept.
    pub fn get(&self) -> Arc<[Reference]> {
        let mut state = self.state();
        if let State::Kept(reload) = &*state {
            *state = match reload() {
                Some(refs) if refs.len() == self.len => State::Here(refs.into()),
                _ => State::Lost,
            };
        }
        match &*state {
            State::Here(refs) => refs.clone(),
            _ => Arc::from(Vec::new()),
        }
    }

    /// How many there are, without reading kept ones back.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Keep them where `reload` reads them from now on, freeing the memory (unless another
    /// holder still has them).
    pub fn keep(&self, reload: Reload) {
        let mut state = self.state();
        if !matches!(*state, State::Lost) {
            *state = State::Kept(reload);
        }
    }

    /// Whether they were kept and then not found as written: a build that read them must not
    /// use what it made.
    pub fn lost(&self) -> bool {
        matches!(*self.state(), State::Lost)
    }
}

impl Default for PageReferences {
    fn default() -> PageReferences {
        PageReferences::new(Vec::new())
    }
}

impl Clone for PageReferences {
    fn clone(&self) -> PageReferences {
        PageReferences {
            len: self.len,
            state: Mutex::new(self.state().clone()),
        }
    }
}

/// As the list (read back if kept), so a page's debug form is the same wherever its references
/// are.
impl std::fmt::Debug for PageReferences {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.get().iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(n: usize) -> Vec<Reference> {
        (0..n)
            .map(|i| Reference {
                id: format!("r{i}"),
                ..Default::default()
            })
            .collect()
    }

    #[test]
    fn kept_references_read_back_once_and_equal_the_list() {
        let here = PageReferences::new(refs(3));
        let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let c = calls.clone();
        let kept = PageReferences::kept(
            3,
            Arc::new(move || {
                c.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                Some(refs(3))
            }),
        );
        assert_eq!(kept.len(), 3);
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
        assert_eq!(format!("{kept:?}"), format!("{here:?}"));
        assert_eq!(format!("{:?}", refs(3)), format!("{here:?}"));
        let _ = kept.get();
        assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(!kept.lost());
        // Kept again after being read: read back again when asked.
        here.keep(Arc::new(|| Some(refs(3))));
        assert_eq!(here.get().len(), 3);
    }

    #[test]
    fn references_not_found_as_kept_are_lost_not_made_up() {
        let gone = PageReferences::kept(2, Arc::new(|| None));
        assert!(gone.get().is_empty());
        assert!(gone.lost());
        // A list of another length is not the one kept.
        let other = PageReferences::kept(2, Arc::new(|| Some(refs(1))));
        assert!(other.get().is_empty());
        assert!(other.lost());
        // Lost stays lost, and a clone knows it.
        other.keep(Arc::new(|| Some(refs(2))));
        assert!(other.clone().lost());
    }
}
