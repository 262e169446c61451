// Tests for the byte-bounded LRU cache (src/cache/lru_cache.h).
#include "cache/lru_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace textdb::internal {
namespace {

std::shared_ptr<const std::string> Value(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

TEST(LruCacheTest, HitsMissesAndCounters) {
  LruCache<std::string, std::string> cache(100);
  EXPECT_EQ(cache.Lookup("a"), nullptr);
  cache.Insert("a", Value("A"), 10);
  ASSERT_NE(cache.Lookup("a"), nullptr);
  EXPECT_EQ(*cache.Lookup("a"), "A");
  CacheStats stats = cache.Stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.entries, 1u);
  EXPECT_EQ(stats.bytes, 10u);
  EXPECT_EQ(stats.capacity, 100u);
}

TEST(LruCacheTest, EvictsLeastRecentlyUsedWithinTheByteBound) {
  LruCache<std::string, std::string> cache(30);
  cache.Insert("a", Value("A"), 10);
  cache.Insert("b", Value("B"), 10);
  cache.Insert("c", Value("C"), 10);
  ASSERT_NE(cache.Lookup("a"), nullptr);  // a becomes most recent; b is now the oldest
  cache.Insert("d", Value("D"), 10);
  EXPECT_EQ(cache.Lookup("b"), nullptr);
  EXPECT_NE(cache.Lookup("a"), nullptr);
  EXPECT_NE(cache.Lookup("c"), nullptr);
  EXPECT_NE(cache.Lookup("d"), nullptr);
  EXPECT_EQ(cache.Stats().evictions, 1u);
  EXPECT_LE(cache.Stats().bytes, 30u);
  cache.Insert("big", Value("X"), 25);  // evicts until it fits
  EXPECT_LE(cache.Stats().bytes, 30u);
  EXPECT_NE(cache.Lookup("big"), nullptr);
}

TEST(LruCacheTest, ValuesOutliveEviction) {
  LruCache<std::string, std::string> cache(10);
  cache.Insert("a", Value("kept by the caller"), 10);
  std::shared_ptr<const std::string> held = cache.Lookup("a");
  cache.Insert("b", Value("B"), 10);
  EXPECT_EQ(cache.Lookup("a"), nullptr);
  EXPECT_EQ(*held, "kept by the caller");
}

TEST(LruCacheTest, ReplaceEraseClearAndOversized) {
  LruCache<std::string, std::string> cache(50);
  cache.Insert("a", Value("1"), 20);
  cache.Insert("a", Value("2"), 5);
  EXPECT_EQ(*cache.Lookup("a"), "2");
  EXPECT_EQ(cache.Stats().bytes, 5u);
  cache.Erase("a");
  EXPECT_EQ(cache.Lookup("a"), nullptr);
  cache.Insert("huge", Value("h"), 51);
  EXPECT_EQ(cache.Lookup("huge"), nullptr);
  cache.Insert("x", Value("x"), 1);
  cache.Clear();
  EXPECT_EQ(cache.Stats().entries, 0u);
  EXPECT_EQ(cache.Stats().bytes, 0u);
  LruCache<std::string, std::string> disabled(0);
  disabled.Insert("a", Value("a"), 1);
  EXPECT_EQ(disabled.Lookup("a"), nullptr);
}

TEST(LruCacheTest, ConcurrentUseKeepsTheBound) {
  LruCache<std::string, std::string> cache(1000);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = std::to_string((i * 7 + t) % 300);
        if (cache.Lookup(key) == nullptr) cache.Insert(key, Value(key), 10);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CacheStats stats = cache.Stats();
  EXPECT_LE(stats.bytes, 1000u);
  EXPECT_EQ(stats.hits + stats.misses, 8000u);
}

}  // namespace
}  // namespace textdb::internal
