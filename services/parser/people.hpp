#pragma once
// People as feeds name them: Atom's <name>/<email>/<uri>, JSON Feed's name/url, and the one
// line of RSS <author>, <managingEditor>, dc:creator and itunes:author, which holds a name, an
// address, or both ("jo@example.com (Jo Doe)", "Jo Doe <jo@example.com>").
#include <string>
#include <string_view>

namespace tributary::parser {

struct Person {
  std::string name;
  std::string email;
  std::string uri;

  [[nodiscard]] bool Empty() const { return name.empty() && email.empty() && uri.empty(); }
  // What a person is called in a plain list of authors: the name, else the address.
  [[nodiscard]] const std::string& Display() const {
    return !name.empty() ? name : (!email.empty() ? email : uri);
  }
  bool operator==(const Person&) const = default;
};

// A person from one line of text: "email (Name)", "Name (email)", "Name <email>",
// "<email>", a bare address or a bare name. Whitespace around each part is trimmed.
Person PersonFromText(std::string_view text);

}  // namespace tributary::parser
