#include "sync/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace epsync::sync {

void SslCtxFree::operator()(SSL_CTX* c) const { SSL_CTX_free(c); }

namespace {

std::string openssl_error() {
  unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (!e) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

std::int64_t unix_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string common_name(X509* cert) {
  char cn[256] = {0};
  if (!cert || X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) <= 0) return "";
  return cn;
}

// SPEC §6: a centre's certificate says it is for TLS clients. OpenSSL's client purpose check
// lets a certificate without any extendedKeyUsage through; the hub does not.
bool has_client_auth(X509* cert) {
  return (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) && (X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT);
}

int reason_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int verify_client(int ok, X509_STORE_CTX* x) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(x, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* reason = ssl ? static_cast<std::string*>(SSL_get_ex_data(ssl, reason_index())) : nullptr;
  auto say = [&](std::string why) {
    if (reason && reason->empty()) *reason = std::move(why);
  };
  X509* cert = X509_STORE_CTX_get_current_cert(x);
  const int depth = X509_STORE_CTX_get_error_depth(x);
  const std::string who = "certificate CN=" + common_name(cert);
  if (!ok) {
    const int err = X509_STORE_CTX_get_error(x);
    if (err == X509_V_ERR_CRL_HAS_EXPIRED || err == X509_V_ERR_CRL_NOT_YET_VALID) {
      X509_CRL* crl = X509_STORE_CTX_get0_current_crl(x);
      std::int64_t next = crl ? unix_time(X509_CRL_get0_nextUpdate(crl)) : 0;
      say(who + " not checked: the hub's certificate revocation list " +
          (err == X509_V_ERR_CRL_HAS_EXPIRED ? "expired at " + utc_text(next) + " (its nextUpdate)" : "is not valid yet") +
          "; every centre is refused until a current CRL is installed at the hub");
      // The fault is the hub's: the centre sees "internal error", not "certificate expired".
      X509_STORE_CTX_set_error(x, X509_V_ERR_UNSPECIFIED);
    } else if (err == X509_V_ERR_INVALID_PURPOSE && depth == 0) {
      say(who + " has no extendedKeyUsage clientAuth");
    }
    return 0;
  }
  if (depth == 0 && !has_client_auth(cert)) {
    say(who + " has no extendedKeyUsage clientAuth");
    X509_STORE_CTX_set_error(x, X509_V_ERR_INVALID_PURPOSE);  // alert "unsupported certificate"
    return 0;
  }
  return 1;
}

// Every CRL in the PEM file `path`, added to the context's store; what they say.
Result<CrlFacts> load_crls(SSL_CTX* ctx, const std::string& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "r"), &BIO_free);
  if (!bio) return Status::InvalidInput(path + ": cannot read the certificate revocation list: " + openssl_error());
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  CrlFacts facts;
  int n = 0;
  while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) {
    std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> owned(crl, &X509_CRL_free);
    if (X509_STORE_add_crl(store, crl) != 1)
      return Status::InvalidInput(path + ": cannot use the certificate revocation list: " + openssl_error());
    ++n;
    std::int64_t next = unix_time(X509_CRL_get0_nextUpdate(crl));
    if (next && (!facts.next_update_s || next < facts.next_update_s)) facts.next_update_s = next;
    facts.last_update_s = std::max(facts.last_update_s, unix_time(X509_CRL_get0_lastUpdate(crl)));
    if (auto* revoked = X509_CRL_get_REVOKED(crl)) facts.revoked += static_cast<std::size_t>(sk_X509_REVOKED_num(revoked));
  }
  ERR_clear_error();  // the end of the file reads as "no start line"
  if (n == 0) return Status::InvalidInput(path + ": no certificate revocation list (PEM) in this file");
  X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
  return facts;
}

}  // namespace

Result<TlsContext> build_tls_context(TlsSide side, const TlsFiles& files) {
  ERR_clear_error();
  const bool hub = side == TlsSide::kHub;
  const char* own = hub ? "hub" : "centre";
  TlsContext out;
  out.ctx.reset(SSL_CTX_new(hub ? TLS_server_method() : TLS_client_method()));
  if (!out.ctx) return Status::IoError("cannot create a TLS context: " + openssl_error());
  SSL_CTX* c = out.ctx.get();
  SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION);
  if (SSL_CTX_load_verify_locations(c, files.ca.c_str(), nullptr) != 1)
    return Status::InvalidInput(files.ca + ": cannot load the CA certificate: " + openssl_error());
  if (SSL_CTX_use_certificate_chain_file(c, files.cert.c_str()) != 1)
    return Status::InvalidInput(files.cert + ": cannot load the " + own + " certificate: " + openssl_error());
  if (SSL_CTX_use_PrivateKey_file(c, files.key.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(c) != 1)
    return Status::InvalidInput(files.key + ": cannot load the " + own + " key: " + openssl_error());
  if (!hub) {
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, nullptr);
    return out;
  }
  SSL_CTX_set_verify(c, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_client);
  SSL_CTX_set_purpose(c, X509_PURPOSE_SSL_CLIENT);  // with verify_client: clientAuth certificates only
  if (!files.crl.empty()) {
    auto facts = load_crls(c, files.crl);
    if (!facts.ok()) return facts.status();
    out.crl = facts.value();
  }
  return out;
}

void set_refusal_slot(SSL* ssl, std::string* reason) { SSL_set_ex_data(ssl, reason_index(), reason); }

std::string refusal_reason(SSL* ssl, const std::string& callback_reason, const std::string& ssl_error) {
  if (!callback_reason.empty()) return callback_reason + " (" + ssl_error + ")";
  std::string why = ssl_error;
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) why += ": " + std::string(X509_verify_cert_error_string(verify));
  if (std::string cn = peer_certificate(ssl).common_name; !cn.empty()) why = "certificate CN=" + cn + ": " + why;
  return why;
}

std::string utc_text(std::int64_t unix_s) {
  auto t = static_cast<std::time_t>(unix_s);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

CertInfo peer_certificate(SSL* ssl) {
  CertInfo f;
  if (X509* peer = SSL_get1_peer_certificate(ssl)) {
    f.common_name = common_name(peer);
    f.not_after = unix_time(X509_get0_notAfter(peer));
    X509_free(peer);
  }
  return f;
}

Result<CertInfo> read_certificate(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return Status::NotFound(path + ": cannot read the certificate");
  X509* x = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (!x) return Status::InvalidInput(path + ": not a PEM certificate");
  CertInfo info{common_name(x), unix_time(X509_get0_notAfter(x))};
  X509_free(x);
  return info;
}

}  // namespace epsync::sync
