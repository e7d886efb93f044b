#pragma once
// `tributary reembed`: the backfill of passages and vectors for items stored before them (or
// before a model change). It sends each stored item that lacks its passages or its vector of the
// configured model back to <prefix>.items, as the item it is (same content hash, same observed
// time), so the embedder embeds what is missing and the loader writes only that: the item's row
// is unchanged, the embedder's cache serves every passage it already has. Through the fleet,
// not around it: the same model, batching, limits and dead letters as every other item.
#include "common/config/source.hpp"

namespace tributary::cli {

int ReembedCommand(const config::Source& source);

}  // namespace tributary::cli
