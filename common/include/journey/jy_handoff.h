/*  jy_handoff: an object handed to another thread as a pointer over an actor's pipe (a "p"
    frame): the sender gives it up until it comes back. libzmq's pipes order the two threads
    with atomics of their own, which ThreadSanitizer cannot see (Debian's libzmq is not
    instrumented), so under TSan each handoff is declared to it: what the sender wrote before
    giving happens before what the receiver does after taking. Elsewhere both are nothing.
    tests/build/sanitizers.sh runs the threaded daemons' tests under TSan. */
#ifndef JY_HANDOFF_H_INCLUDED
#define JY_HANDOFF_H_INCLUDED

#if defined(__SANITIZE_THREAD__)
#define JY_HANDOFF_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define JY_HANDOFF_TSAN 1
#endif
#endif

#ifdef JY_HANDOFF_TSAN
#include <sanitizer/tsan_interface.h>
//  Before sending object to the other thread.
static inline void jy_handoff_give (void *object)
{
    __tsan_release (object);
}
//  After receiving object from the other thread.
static inline void jy_handoff_take (void *object)
{
    __tsan_acquire (object);
}
#else
static inline void jy_handoff_give (void *object)
{
    (void) object;
}
static inline void jy_handoff_take (void *object)
{
    (void) object;
}
#endif

#endif
