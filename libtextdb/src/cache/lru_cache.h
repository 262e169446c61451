// A byte-bounded LRU cache of immutable values, shared by the threads of one database handle.
// Values are handed out as shared_ptr<const V>, so a value stays valid after it is evicted.
// Keys are values of K, hashed by Hash; the engine's are two integers (StanzaCacheKey).
//
// Thread-safety: every method may be called from several threads at once (one mutex).
#ifndef TEXTDB_CACHE_LRU_CACHE_H_
#define TEXTDB_CACHE_LRU_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace textdb::internal {

struct CacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;
  std::size_t entries = 0;
  std::size_t bytes = 0;     // sum of the charges of the entries held
  std::size_t capacity = 0;  // bound on `bytes`
};

template <typename K, typename V, typename Hash = std::hash<K>>
class LruCache {
 public:
  // `capacity`: bound on the sum of charges; 0 disables caching.
  explicit LruCache(std::size_t capacity) : capacity_(capacity) {}
  LruCache(const LruCache&) = delete;
  LruCache& operator=(const LruCache&) = delete;

  // The value for `key`, or null (counted as a hit or a miss). A hit becomes most recent.
  std::shared_ptr<const V> Lookup(const K& key) {
    std::lock_guard<std::mutex> guard(mu_);
    auto it = map_.find(key);
    if (it == map_.end()) {
      ++stats_.misses;
      return nullptr;
    }
    ++stats_.hits;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->value;
  }

  // Inserts or replaces `key`, charging `charge` bytes, then evicts least recent entries until
  // the total is within capacity. A value larger than the capacity is not kept.
  void Insert(const K& key, std::shared_ptr<const V> value, std::size_t charge) {
    std::lock_guard<std::mutex> guard(mu_);
    EraseLocked(key);
    if (charge > capacity_) return;
    order_.push_front(Entry{key, std::move(value), charge});
    map_.emplace(order_.front().key, order_.begin());
    stats_.bytes += charge;
    while (stats_.bytes > capacity_) {
      Entry& last = order_.back();
      stats_.bytes -= last.charge;
      map_.erase(last.key);
      order_.pop_back();
      ++stats_.evictions;
    }
  }

  void Erase(const K& key) {
    std::lock_guard<std::mutex> guard(mu_);
    EraseLocked(key);
  }

  void Clear() {
    std::lock_guard<std::mutex> guard(mu_);
    map_.clear();
    order_.clear();
    stats_.bytes = 0;
  }

  CacheStats Stats() const {
    std::lock_guard<std::mutex> guard(mu_);
    CacheStats stats = stats_;
    stats.entries = map_.size();
    stats.capacity = capacity_;
    return stats;
  }

 private:
  struct Entry {
    K key;
    std::shared_ptr<const V> value;
    std::size_t charge;
  };

  // REQUIRES: mu_ held.
  void EraseLocked(const K& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return;
    stats_.bytes -= it->second->charge;
    order_.erase(it->second);
    map_.erase(it);
  }

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> order_;  // most recent first
  // INVARIANT: map_ holds exactly the keys of order_, each pointing at its entry.
  std::unordered_map<K, typename std::list<Entry>::iterator, Hash> map_;
  CacheStats stats_;
};

}  // namespace textdb::internal

#endif  // TEXTDB_CACHE_LRU_CACHE_H_
