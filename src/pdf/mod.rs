//! PDF handouts: a small layout layer over printpdf 0.12.
