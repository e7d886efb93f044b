#pragma once
// A fixed set of short names, each with a value, looked up by hash: for the lookups the HTML
// passes make for every tag and attribute of every item, where a binary search over a sorted
// list cost a string compare per step (and the sanitizer made four such searches per tag).
// Built at compile time; an absent name yields Value{}.
#include <array>
#include <cstddef>
#include <initializer_list>
#include <string_view>

namespace tributary::parser {

template <typename Value, std::size_t kSlots>
class NameTable {
  static_assert(kSlots > 0 && (kSlots & (kSlots - 1)) == 0, "kSlots must be a power of two");

 public:
  struct Entry {
    std::string_view name;
    Value value{};
  };

  // Entries with the same name: the later one wins. Fails to compile (a throw in a constant
  // expression) when the names would fill every slot: a lookup stops at an empty one.
  constexpr NameTable(std::initializer_list<Entry> entries = {}) {
    for (const auto& entry : entries) Put(entry.name, entry.value);
  }

  // Adds `value` into the flags of `name` (for tables built from several lists).
  constexpr void Merge(std::string_view name, Value value) { Put(name, Find(name) | value); }

  [[nodiscard]] constexpr Value Find(std::string_view name) const {
    for (std::size_t slot = Hash(name) & (kSlots - 1);; slot = (slot + 1) & (kSlots - 1)) {
      const auto& entry = slots_[slot];
      if (entry.name.empty()) return Value{};
      if (entry.name == name) return entry.value;
    }
  }

 private:
  static constexpr std::size_t Hash(std::string_view name) {
    std::size_t hash = name.size();
    for (const char c : name) hash = hash * 31 + static_cast<unsigned char>(c);
    return hash ^ (hash >> 7);
  }

  constexpr void Put(std::string_view name, Value value) {
    for (std::size_t slot = Hash(name) & (kSlots - 1);; slot = (slot + 1) & (kSlots - 1)) {
      auto& entry = slots_[slot];
      if (entry.name == name) {
        entry.value = value;
        return;
      }
      if (entry.name.empty()) {
        if (++size_ == kSlots) throw "NameTable: no slot left empty";
        entry = {name, value};
        return;
      }
    }
  }

  std::array<Entry, kSlots> slots_{};
  std::size_t size_ = 0;
};

}  // namespace tributary::parser
