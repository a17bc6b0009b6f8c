#ifndef CANNALS_EPOLL_SHIM_H
#define CANNALS_EPOLL_SHIM_H
/// Linux's epoll, which Swift's Glibc module does not export, behind three small functions: `struct epoll_event`
/// is packed on x86-64, so Swift code never touches it; each member is named by a 64-bit id.
#include <stdint.h>
#include <sys/epoll.h>
#include <errno.h>

/// A new epoll instance (close-on-exec), or -1 with errno.
static inline int annals_epoll_create(void) {
    return epoll_create1(EPOLL_CLOEXEC);
}

/// Adds `fd` under `id`, reporting input and hang-ups (level-triggered); `add` = 0 removes it. Returns 0 or -1 with errno.
static inline int annals_epoll_watch(int epfd, int fd, uint64_t id, int add) {
    struct epoll_event event = {0};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.u64 = id;
    return epoll_ctl(epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &event);
}

/// The ids of up to `max` (at most 64) members ready now, without waiting. Returns their number, or -1 with errno.
static inline int annals_epoll_ready(int epfd, uint64_t *ids, int max) {
    struct epoll_event events[64];
    if (max > 64) max = 64;
    int n = epoll_wait(epfd, events, max, 0);
    for (int i = 0; i < n; i++) ids[i] = events[i].data.u64;
    return n;
}
#endif
