/* till-aggregator-pay.h: an acquirer/aggregator's B扫C API (收钱吧
 * Shouqianba upay v2 style) that takes UnionPay QR codes, and the other
 * wallets' codes too
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "till-wallet-client.h"

G_BEGIN_DECLS

/* The Authorization header value: "@terminal_sn " + lower hex MD5 of the
 * request body followed by @terminal_key. */
char *till_aggregator_sign (const char *terminal_sn,
                            const char *terminal_key,
                            const char *body,
                            gsize       length);

/* The wire format (PAYMENTS.md §5; the simulator serves the same).
 *
 * Requests: POST base-url + path, Content-Type application/json, header
 * "Authorization: <terminal_sn> <md5hex(body + terminal_key)>"; every
 * value a JSON string, amounts in fen:
 *   /upay/v2/pay     {"terminal_sn","client_sn" (out_trade_no),"total_amount",
 *                     "dynamic_id" (the scanned code),"subject","operator"}
 *   /upay/v2/query   {"terminal_sn","client_sn"}
 *   /upay/v2/cancel  {"terminal_sn","client_sn"}
 *   /upay/v2/refund  {"terminal_sn","client_sn","refund_request_no"
 *                     (out_refund_no; the same number is the same refund),
 *                     "refund_amount","operator"}
 *
 * Replies (any HTTP status; the body decides):
 *   {"result_code":"200","error_code":"","error_message":"",
 *    "biz_response":{"result_code":…,"error_code":…,"error_message":…,
 *      "data":{"sn" (the aggregator's order no),"client_sn","status",
 *              "order_status","total_amount" (fen),"payer_login" (masked)}}}
 * Top-level result_code "400" (bad request) or "401" (bad Authorization):
 * refused, no biz_response; "500": the aggregator failed (unknown).
 * biz_response.result_code per call, and what the till makes of it:
 *   pay:    PAY_SUCCESS → DONE; PAY_IN_PROGRESS → UNKNOWN, waiting for the
 *           customer; PAY_FAIL / FAIL → NOT_DONE (error_code, error_message:
 *           e.g. "INSUFFICIENT_BALANCE", "EXPIRED_BARCODE"); PAY_FAIL_ERROR,
 *           PAY_FAIL_IN_PROGRESS, others → UNKNOWN
 *   query:  SUCCESS with data.order_status PAID / PARTIAL_REFUNDED → DONE;
 *           CREATED → UNKNOWN, waiting; PAY_CANCELED / CANCELED / REFUNDED /
 *           PAY_ERROR → NOT_DONE; FAIL with an error_code containing
 *           "NOT_EXIST" (e.g. "ORDER_NOT_EXIST") → NOT_DONE; others UNKNOWN
 *   cancel: CANCEL_SUCCESS → DONE, data.order_status CANCELED (nothing had
 *           been taken) or REFUNDED (money returned: reply->refunded);
 *           CANCEL_FAIL / FAIL → NOT_DONE; CANCEL_IN_PROGRESS / CANCEL_ERROR →
 *           UNKNOWN, retry
 *   refund: REFUND_SUCCESS → DONE (a repeated refund_request_no answers
 *           REFUND_SUCCESS again without moving money); REFUND_FAIL / FAIL →
 *           NOT_DONE; REFUND_IN_PROGRESS / REFUND_ERROR → UNKNOWN
 * The aggregator signs no reply: it is trusted over TLS. A reply whose
 * data.client_sn names another order, or that is not JSON, is UNKNOWN
 * "BAD_REPLY". */
TillWalletReply *till_aggregator_reply_parse (TillWalletOperation operation,
                                              const char         *body,
                                              gsize               length,
                                              const char         *out_trade_no);

/* Properties (construct): "base-url", "terminal-sn", "terminal-key",
 * "provider" (TillWalletProvider it answers for, default unionpay),
 * "tls-database", "timeout". */
#define TILL_TYPE_AGGREGATOR_PAY (till_aggregator_pay_get_type ())
G_DECLARE_FINAL_TYPE (TillAggregatorPay, till_aggregator_pay, TILL, AGGREGATOR_PAY, GObject)

G_END_DECLS
