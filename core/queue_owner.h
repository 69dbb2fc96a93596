// Whose events are whose in the shared queue zone (docs/design.md#delivery). Each worker lists
// the events it holds under its nginx process slot, with its pid; a worker that dies leaves them
// there. Deciding that an entry's owner is gone must never take a live worker's events (they
// would be sent twice, in parallel) and must not wait for a dead one's forever.
#pragma once

#include <cstdint>

namespace referral::queue_owner {

enum class Owner {
    mine,   // the judging worker's own entry
    alive,  // another worker that may still send these events: leave them
    gone,   // exited (leaving its events) or died: the judging worker takes them
};

// What a worker (pid self) makes of the entry of another slot whose owner is pid (0: a worker
// that exited left its events there). exists(pid) is asked only when it decides: kill(pid, 0)
// failing with ESRCH. A killed worker stays a zombie, and so alive here, until the master reaps
// it; the master then respawns it in the same slot, and the new worker takes the entry's events
// as its own: a slot is given to a new process only after its previous one was reaped, so that
// needs no judging (and holds even if the dead worker's pid was reused meanwhile).
template <typename Exists>
Owner judge(int64_t pid, int64_t self, Exists exists) {
    if (pid == self) {
        return Owner::mine;
    }
    if (pid == 0) {
        return Owner::gone;
    }
    return exists(pid) ? Owner::alive : Owner::gone;
}

}  // namespace referral::queue_owner
