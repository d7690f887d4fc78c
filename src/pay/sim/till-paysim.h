/* till-paysim.h: a simulator of the WeChat Pay v2, Alipay and aggregator
 * (UnionPay) code-payment APIs, served over real HTTP on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <openssl/evp.h>

G_BEGIN_DECLS

/* The scenario a payment code plays is chosen by its last two digits
 * (PAYMENTS.md §6), like a sandbox's test codes:
 *   00–09  success at once (so is any ending not listed here)
 *   11     the customer enters a password: pay says USERPAYING / 10003, the
 *          first two queries say USERPAYING / WAIT_BUYER_PAY, then paid
 *   12     the customer never confirms: USERPAYING until reversed; reverse
 *          closes the order (PAYERROR/REVOKED, cancel action=close)
 *   21     insufficient balance (NOTENOUGH / ACQ.BUYER_BALANCE_NOT_ENOUGH)
 *   31     system error, nothing taken (queries: NOTPAY / ORDERNOTEXIST)
 *   32     system error, but the money was taken (queries: paid)
 *   41     paid, but the reply's signature is wrong (queries are signed)
 *   51     paid, then the connection is dropped without a reply
 *   52     paid, then the reply stalls longer than any client waits
 *          (till_paysim_set_stall_ms)
 *   61     code expired / already used (AUTHCODEEXPIRE, ACQ.PAYMENT_AUTH_CODE_INVALID)
 * A request with a wrong signature is refused as the provider does
 * (return_code FAIL 签名错误; 40002 isv.invalid-signature; aggregator 401).
 *
 * The order book, shared by the three providers, is keyed by out_trade_no
 * (client_sn): the same number paid again never charges again (ORDERPAID,
 * ACQ.TRADE_HAS_SUCCESS, the aggregator's PAY_SUCCESS repeated); a code that
 * paid another order is refused as used (AUTH_CODE_INVALID,
 * ACQ.PAYMENT_AUTH_CODE_INVALID, EXPIRED_BARCODE). Reversal (WeChat reverse,
 * Alipay cancel, aggregator cancel) closes an unpaid order and refunds a
 * paid one in full, recall/retry_flag N; reversing a number never seen
 * closes it, so a pay request arriving later is refused (ORDERREVERSED,
 * ACQ.TRADE_HAS_CLOSE). Refunds take partial amounts; the same
 * out_refund_no / out_request_no / refund_request_no is the same refund
 * (answered again, Alipay with fund_change N, nothing more moves). WeChat
 * /secapi/ paths: see till_paysim_start(). The aggregator signs no reply, so
 * code 41 is a plain success there. */

#define TILL_TYPE_PAYSIM (till_paysim_get_type ())
G_DECLARE_FINAL_TYPE (TillPaySim, till_paysim, TILL, PAYSIM, GObject)

/* A simulator serving from its own thread (its own GMainContext): every call
 * below is thread-safe and the caller's main loop need not run. */
TillPaySim *till_paysim_new (void);
/* Listens on 127.0.0.1, an ephemeral port. With @server_certificate (with
 * its private key), HTTPS, and /secapi/… (WeChat reverse and refund) demand
 * a client certificate (the server asks for one and takes any; requests
 * without one get FAIL 证书错误). */
gboolean till_paysim_start (TillPaySim *self, GTlsCertificate *server_certificate, GError **error);
void     till_paysim_stop (TillPaySim *self);
/* The port till_paysim_start() listens on; 0 (the default) picks a free one. */
void till_paysim_set_port (TillPaySim *self, guint16 port);
/* "http://127.0.0.1:PORT" or "https://…": WeChat under /, Alipay at
 * /gateway.do, the aggregator under /upay/v2/. */
char *till_paysim_dup_url (TillPaySim *self);

void till_paysim_set_wechat (TillPaySim *self,
                             const char *appid,
                             const char *mch_id,
                             const char *api_key);
/* @app_public_key verifies the till's requests; @alipay_private_key signs
 * the replies. References are taken. */
void till_paysim_set_alipay (TillPaySim *self,
                             const char *app_id,
                             EVP_PKEY   *app_public_key,
                             EVP_PKEY   *alipay_private_key);
void
till_paysim_set_aggregator (TillPaySim *self, const char *terminal_sn, const char *terminal_key);
/* How long scenario 52 stalls (default 60000 ms). */
void till_paysim_set_stall_ms (TillPaySim *self, guint stall_ms);

/* What happened, for the tests' assertions. */
guint till_paysim_count_charges (TillPaySim *self,
                                 const char *out_trade_no); /* times money was taken */
gint64
         till_paysim_get_charged (TillPaySim *self,
                                  const char *out_trade_no); /* fen held, after reversal and refunds */
gint64   till_paysim_get_refunded (TillPaySim *self, const char *out_trade_no); /* fen refunded */
gboolean till_paysim_is_reversed (TillPaySim *self, const char *out_trade_no);
/* Requests received per operation, all providers together, refused ones
 * included: "pay", "query", "reverse" (WeChat reverse, Alipay and aggregator
 * cancel), "refund", "refund_query" (WeChat refundquery, Alipay
 * fastpay.refund.query). */
guint till_paysim_count_requests (TillPaySim *self, const char *operation);
/* Blocks until @count requests of @operation arrived in all (FALSE when
 * @timeout_ms passed first): for tests that kill the till mid-payment. */
gboolean till_paysim_wait_for_requests (TillPaySim *self,
                                        const char *operation,
                                        guint       count,
                                        guint       timeout_ms);

G_END_DECLS
