// Bounded concurrency for HTTP connectors: fetch N independent things (one team's members,
// one repository's collaborators) with a small pool of workers, and consume the results in
// index order on the calling thread — so RecordSinks, which are not thread-safe, are only
// touched by the caller, and at most `2 * workers` results wait in memory at any time.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "scanner/core/result.hpp"

namespace rollcall::http {

// Calls produce(i) for every i in [0, count) on up to `workers` threads, and consume(i, value)
// for each on the calling thread, in order of i. Stops at the first failure (of produce or
// consume, in index order) and returns it; later items are then neither produced nor consumed.
// produce must be thread-safe and must not throw.
template <class T>
Result<void> ordered_parallel(std::size_t count, int workers,
                              const std::function<Result<T>(std::size_t)>& produce,
                              const std::function<Result<void>(std::size_t, T&&)>& consume) {
  std::size_t pool = std::min<std::size_t>(static_cast<std::size_t>(std::max(workers, 1)), count);
  if (pool <= 1) {
    for (std::size_t i = 0; i < count; ++i) {
      Result<T> r = produce(i);
      if (!r) return fail(r.error());
      RC_TRY(consume(i, std::move(r).value()));
    }
    return {};
  }

  const std::size_t window = 2 * pool;
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::optional<Result<T>>> slots(count);
  std::size_t next = 0;      // next index to produce
  std::size_t consumed = 0;  // indexes below this are done
  bool stop = false;

  auto worker = [&] {
    for (;;) {
      std::size_t i;
      {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [&] { return stop || next >= count || next < consumed + window; });
        if (stop || next >= count) return;
        i = next++;
      }
      Result<T> r = produce(i);
      std::lock_guard<std::mutex> lock(mutex);
      slots[i].emplace(std::move(r));
      changed.notify_all();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(pool);
  for (std::size_t t = 0; t < pool; ++t) threads.emplace_back(worker);

  Result<void> outcome;
  for (std::size_t i = 0; i < count; ++i) {
    std::optional<Result<T>> r;
    {
      std::unique_lock<std::mutex> lock(mutex);
      changed.wait(lock, [&] { return slots[i].has_value(); });
      r = std::move(slots[i]);
      slots[i].reset();
      consumed = i + 1;
      changed.notify_all();
    }
    if (!*r) {
      outcome = fail(r->error());
      break;
    }
    if (auto c = consume(i, std::move(*r).value()); !c) {
      outcome = c;
      break;
    }
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    stop = true;
    changed.notify_all();
  }
  for (auto& t : threads) t.join();
  return outcome;
}

}  // namespace rollcall::http
