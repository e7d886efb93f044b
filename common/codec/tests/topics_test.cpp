#include "common/codec/topics.hpp"

#include <gtest/gtest.h>

#include "tributary/v1/fetch.pb.h"
#include "tributary/v1/source_event.pb.h"

namespace tributary::topics {
namespace {

TEST(Topics, ItemKeysKeepEveryVersionOfAnItemTogether) {
  v1::Item item;
  item.set_source_id(42);
  item.set_external_id("urn:x/1");
  EXPECT_EQ(ItemKey(item), "42/urn:x/1");
  EXPECT_EQ(SourceKey(42), "42");
  EXPECT_EQ(Dlq("loader"), "dlq.loader");
}

TEST(Topics, EachPipelineTopicNamesItsValueTypeWithOrWithoutAPrefix) {
  EXPECT_EQ(NewValue("prod.fetch.requests")->GetDescriptor()->name(), "FetchRequest");
  EXPECT_EQ(NewValue("documents")->GetDescriptor()->name(), "FetchedDocument");
  EXPECT_EQ(NewValue("t.items")->GetDescriptor()->name(), "Item");
  EXPECT_EQ(NewValue("t.embedded")->GetDescriptor()->name(), "EmbeddedItem");
  EXPECT_EQ(NewValue("a.b.source.events")->GetDescriptor()->name(), "SourceEvent");
  EXPECT_EQ(NewValue("t.dlq.loader"), nullptr);
  EXPECT_EQ(NewValue("t.myitems"), nullptr) << "a suffix must be a whole name";
  EXPECT_FALSE(Is("t.myitems", kItems));
}

}  // namespace
}  // namespace tributary::topics
