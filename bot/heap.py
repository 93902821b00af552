"""Keep the serving process's memory near what it holds: glibc's allocator, told two things.

1. `limit_arenas`: glibc gives every thread that allocates its own malloc arena (up to 8 per
   core), and freed memory stays inside the arena that held it. A web server answering from a
   pool of threads then keeps several partly empty arenas. Two arenas are enough here: the
   answers are computed by one batched encoder and short array work. Must run before the
   server starts its threads.
2. `release_free_heap`: loading the engine reads large temporary structures (the drug
   dictionary's 107k-name pickle, the ONNX graph before optimisation) and frees them; glibc
   keeps the freed pages. `malloc_trim(0)` hands them back (measured: ~29 MiB of 329 MiB
   after the engine loads; BENCHMARKS.md, memory).

Both are no-ops (returning False) where the C library is not glibc. Neither changes an answer.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None


def limit_arenas(count: int = 2) -> bool:
    """At most `count` malloc arenas from now on; True when the allocator accepted it."""
    libc = _glibc()
    return bool(libc is not None and libc.mallopt(M_ARENA_MAX, count))


def release_free_heap() -> bool:
    """Return freed heap pages to the operating system; True when some were released."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0))
