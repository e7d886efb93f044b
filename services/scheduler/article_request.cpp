#include "services/scheduler/article_request.hpp"

#include <google/protobuf/util/time_util.h>

#include "common/digest/sha256.hpp"
#include "services/scheduler/request_builder.hpp"

namespace tributary::scheduler {

std::string ArticleRequestId(const WantedArticle& article) {
  return digest::Sha256HexOf(std::to_string(article.source_id) + "/" + article.external_id +
                             "/" + digest::Hex(article.content_hash) + "/article")
      .substr(0, 32);
}

v1::FetchRequest BuildArticleRequest(const WantedArticle& article, std::int64_t requested_at_unix,
                                     std::vector<std::string>* warnings) {
  v1::FetchRequest request;
  request.set_source_id(article.source_id);
  request.set_url(article.url);
  request.set_kind(v1::SOURCE_KIND_PAGE);
  request.set_depth(1);
  request.set_request_id(ArticleRequestId(article));
  request.set_attempt(1);
  request.mutable_requested_at()->set_seconds(requested_at_unix);
  request.set_parent_request_id(article.item_request_id);
  *request.mutable_options() = SourceOptionsFrom(article.source_config_json, warnings);
  auto* version = request.mutable_article_of();
  version->set_external_id(article.external_id);
  version->set_content_hash(article.content_hash);
  version->set_title(article.title);
  *version->mutable_observed_at() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(article.observed_at_us);
  return request;
}

}  // namespace tributary::scheduler
