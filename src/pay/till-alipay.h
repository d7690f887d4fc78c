/* till-alipay.h: Alipay 当面付 付款码 (alipay.trade.pay, scene bar_code):
 * RSA2 signing, reply verification over the raw bytes, and the client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <openssl/evp.h>

#include "till-wallet-client.h"

G_BEGIN_DECLS

#define TILL_ALIPAY_ERROR (till_alipay_error_quark ())
typedef enum
{
  TILL_ALIPAY_ERROR_KEY,   /* a key that does not load */
  TILL_ALIPAY_ERROR_REPLY, /* a reply without the expected node */
} TillAlipayError;
GQuark till_alipay_error_quark (void);

/* A PEM key, or the bare base64 the Alipay key tool prints (PKCS#1 or PKCS#8
 * private, X.509 SubjectPublicKeyInfo public). */
EVP_PKEY *till_alipay_load_private_key (const char *text, GError **error);
EVP_PKEY *till_alipay_load_public_key (const char *text, GError **error);
/* The string Alipay signs: every parameter but "sign" with a non-empty value
 * (sign_type stays), sorted by name, k=v joined by &, raw values. */
char *till_alipay_sign_content (GHashTable *params);
/* base64 of RSA PKCS#1 v1.5 over SHA-256 of @content. */
char    *till_alipay_sign (const char *content, EVP_PKEY *private_key, GError **error);
gboolean till_alipay_verify (const char *content,
                             gsize       length,
                             const char *signature_base64,
                             EVP_PKEY   *public_key);
/* Finds "@node_name": {…} in a reply and returns the exact bytes of its
 * value (from its { to the matching }, strings and escapes scanned
 * properly) in @out_start/@out_length, and the top-level "sign" (nullable).
 * FALSE when the node is missing or the JSON is malformed. */
gboolean till_alipay_reply_extract (const char *body,
                                    gsize       length,
                                    const char *node_name,
                                    gsize      *out_start,
                                    gsize      *out_length,
                                    char      **out_sign);
/* application/x-www-form-urlencoded of @params, every value escaped. */
char *till_alipay_form_encode (GHashTable *params);

/* Reduces a gateway reply to @operation (PAYMENTS.md §2.4–2.7): finds the
 * "<method>_response" node (or "error_response"), verifies its raw bytes
 * with @alipay_public_key, then maps its code. Unsigned or badly signed:
 * UNKNOWN "BAD_SIGNATURE" (except an unsigned 40002 isv.invalid-signature,
 * NOT_DONE for pay and refund: our own key is wrong); no node or not JSON:
 * UNKNOWN "BAD_REPLY"; a signed reply naming another @out_trade_no
 * (nullable: not checked): UNKNOWN "BAD_REPLY". code is the sub_code when
 * there is one, else the code (or trade_status for a query); message is
 * sub_msg, else msg. */
TillWalletReply *till_alipay_reply_parse (TillWalletOperation operation,
                                          const char         *body,
                                          gsize               length,
                                          const char         *out_trade_no,
                                          EVP_PKEY           *alipay_public_key);

/* Properties (construct): "gateway-url", "app-id", "private-key" (EVP_PKEY
 * pointer, ref taken), "alipay-public-key" (EVP_PKEY pointer), "store-id",
 * "terminal-id", "tls-database", "timeout". */
#define TILL_TYPE_ALIPAY (till_alipay_get_type ())
G_DECLARE_FINAL_TYPE (TillAlipay, till_alipay, TILL, ALIPAY, GObject)

G_END_DECLS
