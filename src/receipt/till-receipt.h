/* till-receipt.h: the customer receipt of a sale, as ESC/POS bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "till-core.h"
#include "till-escpos.h"

G_BEGIN_DECLS

/* The receipt QR payload, version 1: six fields joined by '|'
 *
 *   OT1|<till id>|<receipt no>|<yyyymmddHHMMSS>|<total fen>|<hash16>
 *
 * till id as in the settings ("T01"); receipt no the plain decimal sequence
 * number (42, not "T01-00000042"); the sale's time in the till's local time, as
 * printed on the receipt; the total actually paid in fen; and the first 16
 * lower-case hex digits (64 bits) of the SHA-256 of the sale's journal entry, so
 * HQ can find the entry and check the receipt against the chain. ASCII only, so
 * the QR stays small (version 3-4 at level M). A later version (OT2) adds a
 * signature. */
#define TILL_RECEIPT_QR_PREFIX "OT1"

char *till_receipt_qr_payload (TillSale *sale) G_GNUC_WARN_UNUSED_RESULT;

/* Parses an OT1 payload; FALSE if it is not one. Outputs may be NULL. */
gboolean till_receipt_qr_parse (const char *payload,
                                char      **out_till_id,
                                gint64     *out_receipt_no,
                                char      **out_time,
                                gint64     *out_total,
                                char      **out_hash16);

/* The customer receipt of a completed sale, from ESC @ to the cut (NULL
 * profile: 80 mm defaults). Every tender is on its own row with its label
 * and amount and below it what identifies it: a QR wallet's transaction
 * number (the last 8 characters), a bank card's tail and terminal reference,
 * a stored-value card (masked) with its balance right after the sale (from
 * the card's ledger up to the sale's debit, so a reprint shows the same), a
 * voucher's code and its face value when it was more than the voucher paid;
 * then the cash handed over and the change when cash was paid; then, when
 * the sale has a member, the member's masked phone, the points the sale
 * earned and the points balance after it. Store
 * settings used: store.name, store.address, store.phone, receipt.footer. */
GBytes *till_receipt_encode (TillSale                 *sale,
                             TillStore                *store,
                             const TillPrinterProfile *profile) G_GNUC_WARN_UNUSED_RESULT;

/* A reprint of the same receipt, marked "COPY" (副本) at the top and the bottom
 * with the reprint time beside the sale's own time. */
GBytes *till_receipt_encode_copy (TillSale                 *sale,
                                  TillStore                *store,
                                  const TillPrinterProfile *profile,
                                  GDateTime                *reprinted) G_GNUC_WARN_UNUSED_RESULT;

/* The refund slip of a committed return (till-return.h), from ESC @ to the
 * cut: the store, "REFUND", the return number, the original receipt number
 * (or "Without receipt"), the time, cashier and approver, the returned lines
 * with quantity and amount, the refund total and its tenders, each with its
 * details as on the receipt and where the money stands (a wallet refund in
 * progress, a card refund to make on the card terminal, a voucher's share
 * not refunded in cash), the reason,
 * and a line for the customer's signature. The store keeps the signed slip.
 * NULL profile: 80 mm defaults. */
GBytes *till_receipt_encode_refund (TillReturn               *ret,
                                    TillStore                *store,
                                    const TillPrinterProfile *profile) G_GNUC_WARN_UNUSED_RESULT;

/* The top-up slip of a member's stored-value card (储值充值凭条,
 * till_stored_value_top_up), from ESC @ to the cut: the store, the title,
 * the member's masked phone, the card (masked), the time and cashier, the
 * amount, the bonus, how it was paid, the balance after it (as recorded
 * with the top-up, so a reprint prints the same) and a line for the
 * customer's signature. NULL profile: 80 mm defaults. NULL with @error set
 * when there is no such top-up. */
GBytes *till_receipt_encode_top_up (TillStore                *store,
                                    const char               *top_up_uuid,
                                    const TillPrinterProfile *profile,
                                    GError                  **error) G_GNUC_WARN_UNUSED_RESULT;

/* What a tender is called on paper and on screen, for a sale's tenders and a
 * return's refund tenders alike ("cash" → "Cash", "wechat" → "WeChat Pay",
 * translated); a method it does not know is shown as it is. */
const char *till_receipt_refund_method_label (const char *method);

/* The drawer pulse alone: the app decides when the drawer opens (after the
 * sale is durable, for cash tenders only). */
GBytes *
till_receipt_encode_drawer_kick (const TillPrinterProfile *profile) G_GNUC_WARN_UNUSED_RESULT;

GBytes *till_receipt_encode_test_page (const char *printer_uri, GError **error);

G_END_DECLS
