/* hq-ca.h: HQ's own certificate authority, with OpenSSL: the CA that signs
 * HQ's server certificate and every till's client certificate, and HQ's
 * Ed25519 key that countersigns acks. Everything lives in one directory:
 *
 *   ca.pem ca.key          the CA (EC P-256, 10 years)
 *   server.pem server.key  HQ's TLS certificate (chain: server then CA)
 *   ack.key                Ed25519, countersigns acks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define HQ_CA_ERROR (hq_ca_error_quark ())

typedef enum
{
  HQ_CA_ERROR_FAILED,
  HQ_CA_ERROR_CSR, /* the till's certificate request is unusable */
} HqCaError;

GQuark hq_ca_error_quark (void);

#define HQ_TYPE_CA (hq_ca_get_type ())
G_DECLARE_FINAL_TYPE (HqCa, hq_ca, HQ, CA, GObject)

/* Loads the directory, creating what is missing (keys mode 0600). The
 * server certificate names @hostnames (DNS names or IP addresses; NULL means
 * "localhost" and "127.0.0.1"); it is made anew when the list changes. */
HqCa *hq_ca_open (const char        *dir,
                  const char *const *hostnames,
                  GError           **error) G_GNUC_WARN_UNUSED_RESULT;

/* The server certificate with its key and the CA in its chain, for
 * SoupServer's "tls-certificate". */
GTlsCertificate *hq_ca_get_server_certificate (HqCa *self);
GTlsCertificate *hq_ca_get_ca_certificate (HqCa *self);
char            *hq_ca_dup_ca_pem (HqCa *self) G_GNUC_WARN_UNUSED_RESULT;
/* The first 32 hex digits of SHA-256 over the CA certificate's DER: the pin
 * inside every enrollment token. */
const char *hq_ca_get_pin (HqCa *self);

/* Signs a till's PEM certificate request as a client certificate with
 * CN=@till_id, valid for @valid_days. Returns the PEM and, in
 * @out_fingerprint, the SHA-256 of its DER in hex. */
char *hq_ca_sign_client (HqCa       *self,
                         const char *csr_pem,
                         const char *till_id,
                         guint       valid_days,
                         char      **out_fingerprint,
                         GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* TRUE when @certificate was issued by this CA and is in its validity
 * period. */
gboolean hq_ca_check_client (HqCa *self, GTlsCertificate *certificate, GError **error);
/* SHA-256 of a certificate's DER, hex. */
char *hq_ca_fingerprint (GTlsCertificate *certificate) G_GNUC_WARN_UNUSED_RESULT;

/* HQ's Ed25519 signature over @data, base64; and the public key, base64 raw. */
char       *hq_ca_countersign (HqCa *self, GBytes *data) G_GNUC_WARN_UNUSED_RESULT;
const char *hq_ca_get_ack_public_key (HqCa *self);

G_END_DECLS
