/* till-local-tenders.h: the tenders the till settles itself: cash, a bank
 * card on a standalone terminal, stored-value cards (储值) and vouchers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-tender.h"
#include "till-types.h"

G_BEGIN_DECLS

/* "cash": request.amount is what was handed over; the tender pays MIN
 * (amount, due) and the rest is change. */
TillTender *till_cash_tender_new (void);

/* "card": a bank card paid on a standalone terminal. The screen shows the
 * amount to key into the terminal; request.input is the terminal's
 * reference (参考号, 6–12 digits or letters) and request.account the card's
 * last four digits, both required (TILL_TENDER_ERROR_INVALID). Release asks
 * nothing of the till: the cashier voids on the terminal. */
TillTender *till_card_tender_new (void);

/* A stored-value card and its balance: the sum of its ledger entries. */
typedef struct
{
  gint64   id;
  char    *card_no;
  char    *holder;
  gboolean active;
  gint64   balance; /* fen */
} TillStoredValueAccount;

void till_stored_value_account_free (TillStoredValueAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillStoredValueAccount, till_stored_value_account_free)

/* TILL_TENDER_ERROR_INVALID when no active card has that number. */
TillStoredValueAccount *
till_stored_value_find (TillStore *store, const char *card_no, GError **error);
/* "8800****0012". */
char *till_stored_value_mask_card (const char *card_no);
/* Opens a card with a first top-up and bonus (充100送10), one ledger entry
 * each; for the demo and tests until members (issue 9) own stored value. */
gboolean till_stored_value_open (TillStore  *store,
                                 const char *card_no,
                                 const char *holder,
                                 gint64      top_up,
                                 gint64      bonus,
                                 GError    **error);
/* "stored-value": request.input is the card number; pays request.amount,
 * at most the balance (TILL_TENDER_ERROR_OVER_LIMIT with the balance in the
 * message). The debit is a ledger entry written in the sale's transaction,
 * where the balance is checked again. */
TillTender *till_stored_value_tender_new (TillStore *store);

/* A voucher (代金券): a single-use code worth face_value fen on a sale of
 * at least min_spend, valid on the business days between valid_from and
 * valid_until (either nullable). */
gboolean till_voucher_issue (TillStore  *store,
                             const char *code,
                             gint64      face_value,
                             gint64      min_spend,
                             const char *valid_from,
                             const char *valid_until,
                             GError    **error);
/* "voucher": request.input is the code; pays MIN (face value, due), the rest
 * of the face value is forfeited. Used, expired, unknown codes and a sale
 * under the minimum spend are refused with the reason. Redeemed in the
 * sale's transaction, where its state is checked again. */
TillTender *till_voucher_tender_new (TillStore *store);

/* For the sale commit and returns only, inside their transaction. */
gboolean _till_stored_value_debit (
    TillStore *store, const char *card_no, gint64 amount, const char *sale_uuid, GError **error);
gboolean _till_stored_value_credit (
    TillStore *store, const char *card_no, gint64 amount, const char *return_uuid, GError **error);
gboolean _till_voucher_redeem (
    TillStore *store, const char *code, gint64 sale_total, const char *sale_uuid, GError **error);

G_END_DECLS
