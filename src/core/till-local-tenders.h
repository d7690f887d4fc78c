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
/* Members' stored value (issue 9). A member has at most one card
 * (sv_account.member_id); it is opened at the first top-up. */
TillStoredValueAccount *
till_stored_value_find_for_member (TillStore *store, const char *member_id, GError **error);
/* The bonus a top-up earns by the store's rules (setting
 * "stored-value.bonus", JSON [{"min": 10000, "bonus": 1000}, …]: the
 * highest rule whose min the top-up reaches; 充100送10). */
gint64 till_stored_value_bonus_for (TillStore *store, gint64 top_up, GError **error);
/* Takes @amount (fen, > 0) paid with @method ("cash", "card", "wechat", …)
 * onto @member_id's card (opened, numbered from the member id, when they
 * have none) in ONE transaction: the top-up and bonus ledger entries, the
 * document (table sv_top_up, journal entry "sv-top-up" naming @user, outbox
 * row for HQ) and, for cash, the drawer event. @user needs
 * TILL_PERMISSION_TOP_UP. Returns the account after it. */
TillStoredValueAccount *till_stored_value_top_up (TillStore   *store,
                                                  TillJournal *journal,
                                                  TillUser    *user,
                                                  const char  *member_id,
                                                  gint64       amount,
                                                  const char  *method,
                                                  GError     **error);
/* Offline spending of stored value (../shared/SYNC.md §5 and §6.6): while the
 * till is offline (enrolled, and no successful sync round since the offline
 * episode began: till_sync_offline_since), each member may spend at most
 * "stored-value.offline-member-cap" fen (default 20000) once per episode on
 * this till, and the till at most "stored-value.offline-till-cap" (default
 * 200000) in all; beyond that the tender is refused with
 * TILL_TENDER_ERROR_OVER_LIMIT and a message saying which cap and how much
 * is left. Debits taken offline are marked offline in sv_ledger. A
 * standalone till (never enrolled) owns its ledger: no caps. */
gboolean till_stored_value_offline_allows (
    TillStore *store, const char *card_no, gint64 amount, gint64 now_us, GError **error);

/* A top-up as its slip prints it (till_receipt_encode_top_up): the balance
 * after it is the one recorded in its journal entry, so a reprint shows the
 * same figure. */
typedef struct
{
  char  *uuid;
  char  *card_no;
  char  *member_id;     /* NULL for a card without a member */
  char  *member_masked; /* "138****1234", "" when unknown */
  gint64 amount;        /* fen paid in */
  gint64 bonus;         /* fen given on top */
  gint64 balance_after; /* fen */
  char  *method;        /* "cash", "card", "wechat", … */
  char  *cashier_code;
  char  *cashier_name; /* "" when the user is gone */
  gint64 created_us;
} TillStoredValueTopUp;

void till_stored_value_top_up_free (TillStoredValueTopUp *top_up);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillStoredValueTopUp, till_stored_value_top_up_free)

/* TILL_TENDER_ERROR_INVALID when there is no such top-up. */
TillStoredValueTopUp *
till_stored_value_get_top_up (TillStore *store, const char *uuid, GError **error);
/* A member's top-ups, newest first (TillStoredValueTopUp elements); the
 * first is the one till_stored_value_top_up just took. */
GPtrArray *till_stored_value_list_top_ups (TillStore *store, const char *member_id, GError **error);
/* The card's balance right after @sale_uuid's debit, from the ledger (the
 * entries up to that debit), so that a reprint shows what the first print
 * did; -1 with @error set when the sale did not debit the card. */
gint64 till_stored_value_balance_after_sale (TillStore  *store,
                                             const char *card_no,
                                             const char *sale_uuid,
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
