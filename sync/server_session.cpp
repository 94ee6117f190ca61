#include "sync/server_session.h"

#include <algorithm>

#include <cassert>

#include "sync/codec.h"

namespace epsync::sync {

ServerSession::ServerSession(ServerConfig cfg) : cfg_(std::move(cfg)) {
  assert(cfg_.schema_max > 0 && "ServerConfig::schema_max is the hub store's schema");
  if (cfg_.schema_min == 0) cfg_.schema_min = std::max(1, cfg_.schema_max - 1);
  reader_.allow_compressed(false);  // until a welcome agrees on zstd
}

void ServerSession::send(const Message& m) { out_ += make_frame(encode_message(m), compress_); }

std::string ServerSession::take_output() { return std::exchange(out_, {}); }

std::optional<ServerAction> ServerSession::next_action() {
  if (actions_.empty()) return std::nullopt;
  ServerAction a = std::move(actions_.front());
  actions_.pop_front();
  return a;
}

void ServerSession::close(Status s) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  actions_.push_back(server::Closed{std::move(s)});
}

void ServerSession::refuse_and_close(const std::string& code, const std::string& message, Status::Code kind) {
  send(Error{code, message});
  close(kind == Status::Code::kInvalidInput ? Status::InvalidInput(code + ": " + message)
                                            : Status::IoError(code + ": " + message));
}

void ServerSession::abort(const std::string& code, const std::string& message) {
  if (state_ == State::kClosed) return;
  refuse_and_close(code, message, Status::Code::kIoError);
}

void ServerSession::start(TimePoint now, SessionTimeouts timeouts) {
  now_ = now;
  timer_.start(now, timeouts);
}

void ServerSession::receive(std::string_view bytes, TimePoint now) {
  now_ = std::max(now_, now);
  timer_.progress(now);
  receive(bytes);
}

std::optional<TimePoint> ServerSession::poll_timeout() const {
  if (state_ == State::kClosed) return std::nullopt;
  return timer_.deadline();
}

void ServerSession::handle_timeout(TimePoint now) {
  if (state_ == State::kClosed || !timer_.expired(now)) return;
  std::string why = "said nothing for " + std::to_string(timer_.limit_seconds()) + " s" +
                    (timer_.opening() ? " (no hello)" : "");
  send(Error{kErrorTimeout, "nothing received within the time limit"});
  close(Status::IoError(why));
}

void ServerSession::receive(std::string_view bytes) {
  if (state_ == State::kClosed) return;
  reader_.feed(bytes);
  while (state_ != State::kClosed) {
    auto payload = reader_.next();
    if (!payload.ok()) {
      bool too_large = payload.status().message().find("exceeds") != std::string::npos;
      return refuse_and_close(too_large ? kErrorTooLarge : kErrorBadMessage, payload.status().message(),
                              Status::Code::kInvalidInput);
    }
    if (!payload.value()) return;
    auto m = decode_message(*payload.value());
    if (!m.ok()) return refuse_and_close(kErrorBadMessage, m.status().message(), Status::Code::kInvalidInput);
    on_message(std::move(m).value());
  }
}

void ServerSession::on_message(Message m) {
  if (auto* e = std::get_if<Error>(&m)) return close(Status::IoError("agent reported: " + e->code + ": " + e->message));
  if (std::holds_alternative<Ping>(m)) return send(Pong{});
  if (std::holds_alternative<Pong>(m)) return;
  if (std::holds_alternative<Bye>(m)) return close(Status::Ok());
  switch (state_) {
    case State::kAwaitHello: {
      auto* h = std::get_if<Hello>(&m);
      if (!h) return refuse_and_close(kErrorBadMessage, std::string("expected hello, got ") + message_name(m), Status::Code::kInvalidInput);
      return on_hello(*h);
    }
    case State::kOpen: {
      if (auto* hb = std::get_if<Heartbeat>(&m)) {
        actions_.push_back(server::HeartbeatReceived{std::move(*hb)});
        return;
      }
      if (auto* p = std::get_if<Push>(&m)) {
        if (std::string bad = batch_problem(p->batch); !bad.empty())
          return refuse_and_close(kErrorBadMessage, bad, Status::Code::kInvalidInput);
        last_batch_ = p->batch;
        // Whether this centre may push these changes is the shell's question: the answer needs
        // the owners the hub has stored and the refusals it remembers (hub/hub_store.h).
        actions_.push_back(server::ApplyPush{std::move(*p)});
        return;
      }
      if (auto* p = std::get_if<Pull>(&m)) {
        actions_.push_back(server::ReadPull{std::move(*p)});
        return;
      }
      return refuse_and_close(kErrorBadMessage, std::string("unexpected ") + message_name(m), Status::Code::kInvalidInput);
    }
    default:
      return refuse_and_close(kErrorBadMessage, std::string("unexpected ") + message_name(m) + " before welcome",
                              Status::Code::kInvalidInput);
  }
}

// Batches are numbered from 1 and increase within a session (gaps allowed): acks name the batch,
// so a repeated number (or 0, an unset one) would leave the agent unable to tell its acks apart.
std::string ServerSession::batch_problem(std::uint64_t batch) const {
  if (batch == 0) return "push batch numbers start at 1, got 0";
  if (batch <= last_batch_)
    return "push batch " + std::to_string(batch) + " is not above the previous batch " + std::to_string(last_batch_);
  return "";
}

namespace {

// "agent speaks protocol 1-1, hub speaks 2-3; upgrade the agent": which side is behind.
std::string no_overlap(const char* agent, int agent_min, int agent_max, const char* hub, int hub_min, int hub_max) {
  return agent + std::to_string(agent_min) + "-" + std::to_string(agent_max) + hub + std::to_string(hub_min) + "-" +
         std::to_string(hub_max) + "; upgrade the " + (agent_max < hub_min ? "agent" : "hub");
}

}  // namespace

// The highest protocol and schema both sides speak, or a refusal that says which side to upgrade.
void ServerSession::on_hello(Hello& h) {
  int proto = std::min(h.proto_max, cfg_.proto_max);
  if (proto < std::max(h.proto_min, cfg_.proto_min))
    return refuse_and_close(kErrorVersion,
                            no_overlap("agent speaks protocol ", h.proto_min, h.proto_max, ", hub speaks ",
                                       cfg_.proto_min, cfg_.proto_max),
                            Status::Code::kInvalidInput);
  int schema = std::min(h.schema_max, cfg_.schema_max);
  if (schema < std::max(h.schema_min, cfg_.schema_min))
    return refuse_and_close(kErrorVersion,
                            no_overlap("agent store schema ", h.schema_min, h.schema_max, ", hub ", cfg_.schema_min,
                                       cfg_.schema_max),
                            Status::Code::kInvalidInput);
  if (h.center != cfg_.cert_center)
    return refuse_and_close(kErrorUnauthorized,
                            "configured centre " + h.center.substr(0, 40) + " is not the certificate's " + cfg_.cert_center,
                            Status::Code::kInvalidInput);
  if (h.site.size() != 32 || h.site.find_first_not_of("0123456789abcdef") != std::string::npos)
    return refuse_and_close(kErrorBadMessage, "site id must be 32 hex digits", Status::Code::kInvalidInput);
  site_ = h.site;
  proto_ = proto;
  schema_ = schema;
  offered_zstd_ = std::find(h.compression.begin(), h.compression.end(), "zstd") != h.compression.end();
  state_ = State::kAwaitAccept;
  timer_.opened(now_);
  actions_.push_back(server::HelloReceived{std::move(h)});
}

void ServerSession::accept(Welcome w) {
  if (state_ != State::kAwaitAccept) return;
  w.proto = proto_;
  w.schema = schema_;
  w.compression = cfg_.allow_compression && offered_zstd_ ? "zstd" : "";
  send(w);
  reader_.set_limit(kMaxFrameBytes);
  compress_ = !w.compression.empty();
  reader_.allow_compressed(compress_);
  state_ = State::kOpen;
}

void ServerSession::refuse(const std::string& code, const std::string& message) {
  if (state_ == State::kClosed) return;
  refuse_and_close(code, message, Status::Code::kInvalidInput);
}

void ServerSession::pushed(Ack ack) {
  if (state_ == State::kOpen) send(ack);
}

void ServerSession::refuse_push(Error e) {
  if (state_ != State::kOpen) return;
  std::string why = e.code + ": " + e.message;
  send(e);
  close(Status::InvalidInput(why));
}

void ServerSession::pulled(Changes changes) {
  if (state_ == State::kOpen) send(changes);
}

}  // namespace epsync::sync
