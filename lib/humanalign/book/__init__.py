"""Build the book: :mod:`.chapters` (find, execute, stamp), :mod:`.record` (reproducibility
page), :mod:`.gallery` (stimulus thumbnails), :mod:`.build` (the checkout's layout, the
Sphinx extension behind ``jupyter-book build book/``) and :mod:`.command` (``humanalign book``).

``book/_config.yml`` names this package as a Sphinx extension, so it hands on :func:`setup`.
"""

from .build import (BOOK_MARK, GPU_CHECK, Layout, build_book, check_book_dir, check_book_writable, claim_book_dir,
                    copy_book_sources, prepare_book, setup)
from .chapters import (KERNEL, PROFILE_ENV, STAMP_KEY, book_profile, chapter_notebooks, chapter_stamp, chapter_state,
                       execute_chapter, library_fingerprint, outputs_digest, pick_chapter, profile_ref)
from .command import main
from .gallery import write_gallery
from .record import gpu_check_record, reproducibility_record, write_reproducibility

__all__ = [
    "BOOK_MARK", "GPU_CHECK", "KERNEL", "PROFILE_ENV", "STAMP_KEY", "Layout", "book_profile", "build_book",
    "chapter_notebooks", "chapter_stamp", "chapter_state", "check_book_dir", "check_book_writable", "claim_book_dir",
    "copy_book_sources", "execute_chapter",
    "gpu_check_record", "library_fingerprint", "main", "outputs_digest", "pick_chapter", "prepare_book", "profile_ref",
    "reproducibility_record", "setup", "write_gallery", "write_reproducibility",
]
