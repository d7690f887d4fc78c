/* till-wechat-pay.h: WeChat Pay APIv2 付款码支付 (micropay): signing, the
 * XML wire format, and the client
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "till-wallet-client.h"

G_BEGIN_DECLS

typedef enum
{
  TILL_WECHAT_SIGN_MD5,         /* "MD5", the default when sign_type is not sent */
  TILL_WECHAT_SIGN_HMAC_SHA256, /* "HMAC-SHA256" */
} TillWechatSignType;

/* The v2 sign of @params (string → string): every parameter but "sign" with
 * a non-empty value, sorted by name (ASCII), joined k=v&… unencoded, then
 * "&key=" + @api_key; upper-case hex of MD5, or of HMAC-SHA256 keyed with
 * @api_key. A "sign_type" in @params is signed like any other. */
char *till_wechat_sign (GHashTable *params, const char *api_key, TillWechatSignType sign_type);
/* TRUE when @params carries a "sign" equal to till_wechat_sign(). */
gboolean till_wechat_verify (GHashTable *params, const char *api_key, TillWechatSignType sign_type);
/* <xml><name><![CDATA[value]]></name>…</xml>, names sorted. */
char *till_wechat_xml_encode (GHashTable *params);
/* The child elements of <xml> as a string → string table. A DOCTYPE, an
 * entity other than the five predefined ones, nesting, or anything not
 * well-formed is an error (G_MARKUP_ERROR): no external entity is ever
 * loaded. */
GHashTable *till_wechat_xml_decode (const char *xml, gssize length, GError **error);

/* Reduces a reply body to @operation to paid / not paid / unknown
 * (PAYMENTS.md §1.5–1.10): the signature is checked with the request's
 * @sign_type whenever return_code is SUCCESS; a wrong one gives UNKNOWN
 * "BAD_SIGNATURE", a reply naming another @appid, @mch_id or @out_trade_no
 * (each nullable: not checked) UNKNOWN "BAD_REPLY"; unparseable XML UNKNOWN
 * "BAD_REPLY"; return_code FAIL NOT_DONE "FAIL" for pay and refund, UNKNOWN
 * for query and reverse. */
TillWalletReply *till_wechat_reply_parse (TillWalletOperation operation,
                                          const char         *body,
                                          gsize               length,
                                          const char         *out_trade_no,
                                          const char         *appid,
                                          const char         *mch_id,
                                          const char         *api_key,
                                          TillWechatSignType  sign_type);

/* Properties (construct): "base-url" (e.g. https://api.mch.weixin.qq.com),
 * "appid", "mch-id", "api-key", "sign-type" (TillWechatSignType),
 * "device-info", "client-certificate" (GTlsCertificate for the /secapi/ paths,
 * nullable), "tls-database" (GTlsDatabase to trust, nullable: the system's),
 * "timeout" (seconds per request), "spbill-create-ip" (the till's IP,
 * default 127.0.0.1). */
#define TILL_TYPE_WECHAT_PAY (till_wechat_pay_get_type ())
G_DECLARE_FINAL_TYPE (TillWechatPay, till_wechat_pay, TILL, WECHAT_PAY, GObject)

G_END_DECLS
