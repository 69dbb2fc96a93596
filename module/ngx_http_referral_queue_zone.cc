// The queue zone's layout: a table with one entry per nginx process slot (the owner's pid and
// the list of its events), and one slab allocation per event. The slab pool's mutex guards it
// all; nginx's master force-unlocks it when a worker dies holding it. The zone is mapped before
// the workers are forked and kept across reloads of the same size, so list pointers are valid
// in every worker.
//
// A worker can be killed inside a critical section. Each section links or unlinks one node (or
// moves a dead owner's list, which nobody else touches), and a node is linked so that the list
// read forwards, as adoption reads it, is whole at every instruction: the node points into the
// list before the list points at it. Only the compiler can break that order: a killed worker
// stops between two instructions, and whatever it stored is in memory before its death can be
// seen (adoption waits for the pid to be gone), so a compiler fence is all it takes. A CPU
// fence there (nginx's ngx_memory_barrier) drained the store buffer behind the copied record on
// every event (bench/README.md).

#include "ngx_http_referral_queue_zone.h"

#include <signal.h>

#include <atomic>

#include "queue_owner.h"

namespace queue_owner = referral::queue_owner;

struct ngx_http_referral_held_t {
    ngx_queue_t queue;  // in its owner's list, oldest first
    size_t len;
    u_char record[1];
};

struct ngx_http_referral_owner_t {
    ngx_pid_t pid;  // 0: none, or a worker that exited and left its events
    ngx_queue_t held;
};

struct ngx_http_referral_queue_sh_t {
    ngx_http_referral_owner_t owners[NGX_MAX_PROCESSES];
};

static ngx_str_t ngx_http_referral_queue_name = ngx_string("referral_queue");

// The worker's cycle's zone, found when it joins: not set by the zone's init, which runs in the
// master for configurations that may yet fail to load.
static ngx_slab_pool_t *ngx_http_referral_queue_pool;
static ngx_http_referral_queue_sh_t *ngx_http_referral_queue_sh;

static ngx_int_t ngx_http_referral_init_queue_zone(ngx_shm_zone_t *shm_zone, void *data) {
    auto *shpool = reinterpret_cast<ngx_slab_pool_t *>(shm_zone->shm.addr);
    if (data) {
        // A reload keeping the zone: the events of the old workers stay where they are.
        shm_zone->data = data;
        return NGX_OK;
    }
    auto *sh = static_cast<ngx_http_referral_queue_sh_t *>(
        ngx_slab_calloc(shpool, sizeof(ngx_http_referral_queue_sh_t)));
    if (sh == NULL) {
        return NGX_ERROR;
    }
    for (ngx_http_referral_owner_t &owner : sh->owners) {
        ngx_queue_init(&owner.held);
    }
    // A full zone sends events to the spool: not an error worth a line per event.
    shpool->log_nomem = 0;
    shpool->data = sh;
    shm_zone->data = sh;
    return NGX_OK;
}

ngx_int_t ngx_http_referral_add_queue_zone(ngx_conf_t *cf, size_t size) {
    ngx_shm_zone_t *zone =
        ngx_shared_memory_add(cf, &ngx_http_referral_queue_name, size, &ngx_http_referral_module);
    if (zone == NULL) {
        return NGX_ERROR;
    }
    zone->init = ngx_http_referral_init_queue_zone;
    return NGX_OK;
}

static ngx_http_referral_owner_t *ngx_http_referral_queue_mine() {
    return &ngx_http_referral_queue_sh->owners[ngx_process_slot];
}

// Copies the records of a list now this worker's; the caller holds the lock.
static void ngx_http_referral_queue_collect(ngx_queue_t *list,
                                            std::deque<ngx_http_referral_event_t> *out) {
    for (ngx_queue_t *q = ngx_queue_head(list); q != ngx_queue_sentinel(list);
         q = ngx_queue_next(q)) {
        auto *held = ngx_queue_data(q, ngx_http_referral_held_t, queue);
        ngx_http_referral_event_t event;
        event.record.assign(reinterpret_cast<const char *>(held->record), held->len);
        event.held = held;
        out->push_back(std::move(event));
    }
}

static bool ngx_http_referral_queue_find(ngx_cycle_t *cycle) {
    ngx_list_part_t *part = &cycle->shared_memory.part;
    auto *zones = static_cast<ngx_shm_zone_t *>(part->elts);
    for (ngx_uint_t i = 0;; i++) {
        if (i >= part->nelts) {
            if (part->next == NULL) {
                return false;
            }
            part = part->next;
            zones = static_cast<ngx_shm_zone_t *>(part->elts);
            i = 0;
        }
        ngx_shm_zone_t *zone = &zones[i];
        if (zone->tag == &ngx_http_referral_module &&
            zone->shm.name.len == ngx_http_referral_queue_name.len &&
            ngx_strncmp(zone->shm.name.data, ngx_http_referral_queue_name.data,
                        ngx_http_referral_queue_name.len) == 0) {
            ngx_http_referral_queue_pool = reinterpret_cast<ngx_slab_pool_t *>(zone->shm.addr);
            ngx_http_referral_queue_sh = static_cast<ngx_http_referral_queue_sh_t *>(zone->data);
            return true;
        }
    }
}

bool ngx_http_referral_queue_zone_join(ngx_cycle_t *cycle,
                                       std::deque<ngx_http_referral_event_t> *inherited) {
    if (!ngx_http_referral_queue_find(cycle)) {
        return false;
    }
    ngx_shmtx_lock(&ngx_http_referral_queue_pool->mutex);
    ngx_http_referral_owner_t *mine = ngx_http_referral_queue_mine();
    for (ngx_http_referral_owner_t &owner : ngx_http_referral_queue_sh->owners) {
        if (owner.pid == ngx_pid && &owner != mine) {
            // A dead worker's entry, whose pid this worker was given: nothing would ever find
            // that pid gone while this worker lives.
            owner.pid = 0;
        }
    }
    mine->pid = ngx_pid;
    ngx_http_referral_queue_collect(&mine->held, inherited);
    ngx_shmtx_unlock(&ngx_http_referral_queue_pool->mutex);
    return true;
}

ngx_http_referral_held_t *ngx_http_referral_queue_zone_hold(std::string_view record) {
    ngx_shmtx_lock(&ngx_http_referral_queue_pool->mutex);
    auto *held = static_cast<ngx_http_referral_held_t *>(ngx_slab_alloc_locked(
        ngx_http_referral_queue_pool, offsetof(ngx_http_referral_held_t, record) + record.size()));
    if (held) {
        held->len = record.size();
        ngx_memcpy(held->record, record.data(), record.size());
        ngx_queue_t *list = &ngx_http_referral_queue_mine()->held;
        held->queue.next = list;
        held->queue.prev = list->prev;
        std::atomic_signal_fence(std::memory_order_seq_cst);
        list->prev->next = &held->queue;
        list->prev = &held->queue;
    }
    ngx_shmtx_unlock(&ngx_http_referral_queue_pool->mutex);
    return held;
}

void ngx_http_referral_queue_zone_release(ngx_http_referral_held_t *held) {
    if (held == NULL) {
        return;
    }
    ngx_shmtx_lock(&ngx_http_referral_queue_pool->mutex);
    ngx_queue_remove(&held->queue);
    ngx_slab_free_locked(ngx_http_referral_queue_pool, held);
    ngx_shmtx_unlock(&ngx_http_referral_queue_pool->mutex);
}

static bool ngx_http_referral_queue_exists(int64_t pid) {
    return kill(static_cast<ngx_pid_t>(pid), 0) == 0 || ngx_errno != NGX_ESRCH;
}

std::deque<ngx_http_referral_event_t> ngx_http_referral_queue_zone_adopt(ngx_log_t *log) {
    std::deque<ngx_http_referral_event_t> adopted;
    ngx_http_referral_queue_sh_t *sh = ngx_http_referral_queue_sh;
    for (ngx_int_t slot = 0; slot < NGX_MAX_PROCESSES; slot++) {
        ngx_http_referral_owner_t *owner = &sh->owners[slot];
        // Read without the lock to keep the tick cheap; taken below only after a re-check.
        ngx_pid_t pid = owner->pid;
        if (slot == ngx_process_slot || ngx_queue_empty(&owner->held) ||
            queue_owner::judge(pid, ngx_pid, ngx_http_referral_queue_exists) !=
                queue_owner::Owner::gone) {
            continue;
        }
        size_t before = adopted.size();
        ngx_shmtx_lock(&ngx_http_referral_queue_pool->mutex);
        if (owner->pid == pid) {
            ngx_http_referral_queue_collect(&owner->held, &adopted);
            ngx_queue_t *mine = &ngx_http_referral_queue_mine()->held;
            if (!ngx_queue_empty(&owner->held)) {
                ngx_queue_add(mine, &owner->held);
                ngx_queue_init(&owner->held);
            }
            if (pid != 0) {
                // The slot's next process starts with an empty entry.
                owner->pid = 0;
            }
        }
        ngx_shmtx_unlock(&ngx_http_referral_queue_pool->mutex);
        if (adopted.size() > before && pid) {
            ngx_log_error(NGX_LOG_WARN, log, 0,
                          "referral: %uz queued events of the dead worker %P taken over",
                          adopted.size() - before, pid);
        } else if (adopted.size() > before) {
            ngx_log_error(NGX_LOG_NOTICE, log, 0,
                          "referral: %uz queued events left by an exited worker taken over",
                          adopted.size() - before);
        }
    }
    return adopted;
}

void ngx_http_referral_queue_zone_leave() {
    ngx_shmtx_lock(&ngx_http_referral_queue_pool->mutex);
    ngx_http_referral_owner_t *mine = ngx_http_referral_queue_mine();
    if (mine->pid == ngx_pid) {
        mine->pid = 0;
    }
    ngx_shmtx_unlock(&ngx_http_referral_queue_pool->mutex);
}
