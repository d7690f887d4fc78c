/* till-local-tenders.c: the cash and standalone bank-card tenders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-tender"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-local-tenders.h"
#include "till-money.h"

/* The most cash one tender takes: a larger figure is a keying mistake. */
#define MAX_CASH_HANDED G_GINT64_CONSTANT (100000000)

#define TILL_TYPE_CASH_TENDER (till_cash_tender_get_type ())
G_DECLARE_FINAL_TYPE (TillCashTender, till_cash_tender, TILL, CASH_TENDER, GObject)

#define TILL_TYPE_CARD_TENDER (till_card_tender_get_type ())
G_DECLARE_FINAL_TYPE (TillCardTender, till_card_tender, TILL, CARD_TENDER, GObject)

struct _TillCashTender
{
  GObject parent_instance;
};

struct _TillCardTender
{
  GObject parent_instance;
};

static void cash_tender_iface_init (TillTenderInterface *iface);
static void card_tender_iface_init (TillTenderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillCashTender,
                               till_cash_tender,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_TENDER, cash_tender_iface_init))

G_DEFINE_FINAL_TYPE_WITH_CODE (TillCardTender,
                               till_card_tender,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_TENDER, card_tender_iface_init))

static gboolean
check_due (gint64 due, GError **error)
{
  if (due > 0)
    return TRUE;
  g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
               _ ("Nothing is left to pay"));
  return FALSE;
}

/* Cash: whatever was handed over pays at most the due; the rest is change. */
static TillSalePayment *
authorize_cash (TillTender *self, const TillTenderRequest *request, GError **error)
{
  TillSalePayment *payment;

  if (!check_due (request->due, error))
    return NULL;
  if (request->amount < 1)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Enter the cash the customer handed over"));
      return NULL;
    }
  if (request->amount > MAX_CASH_HANDED)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("The cash amount is too large to be right"));
      return NULL;
    }
  payment =
      till_sale_payment_new ("cash", TILL_TENDER_KIND_CASH, MIN (request->amount, request->due));
  payment->tendered = request->amount;
  payment->change = request->amount - payment->amount;
  return payment;
}

static const char *
cash_get_id (TillTender *self)
{
  return "cash";
}

static char *
cash_dup_label (TillTender *self)
{
  return g_strdup (_ ("Cash"));
}

static TillTenderKind
cash_get_kind (TillTender *self)
{
  return TILL_TENDER_KIND_CASH;
}

static void
cash_tender_iface_init (TillTenderInterface *iface)
{
  iface->get_id = cash_get_id;
  iface->dup_label = cash_dup_label;
  iface->get_kind = cash_get_kind;
  iface->authorize = authorize_cash;
}

static void
till_cash_tender_class_init (TillCashTenderClass *klass)
{
}

static void
till_cash_tender_init (TillCashTender *self)
{
}

/* The terminal's reference (参考号): 6 to 12 ASCII letters or digits. */
static gboolean
is_terminal_reference (const char *text)
{
  size_t length = strlen (text);

  if (length < 6 || length > 12)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p))
        return FALSE;
    }
  return TRUE;
}

static gboolean
is_card_tail (const char *text)
{
  if (strlen (text) != 4)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
    }
  return TRUE;
}

/* A bank card paid on a standalone terminal: the till records what the
 * cashier keys from the terminal's slip, and pays to the fen. */
static TillSalePayment *
authorize_card (TillTender *self, const TillTenderRequest *request, GError **error)
{
  g_autofree char *reference = g_strstrip (g_strdup (request->input != NULL ? request->input : ""));
  g_autofree char *tail = g_strstrip (g_strdup (request->account != NULL ? request->account : ""));
  TillSalePayment *payment;

  if (!check_due (request->due, error))
    return NULL;
  if (request->amount < 1)
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Enter the amount paid by card"));
      return NULL;
    }
  if (request->amount > request->due)
    {
      g_autofree char *amount_text = till_money_format_yuan (request->amount);
      g_autofree char *due_text = till_money_format_yuan (request->due);

      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_OVER_LIMIT,
                   _ ("%s is more than the %s still to pay"), amount_text, due_text);
      return NULL;
    }
  if (!is_terminal_reference (reference))
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Key the terminal's reference number: 6 to 12 letters or digits"));
      return NULL;
    }
  if (!is_card_tail (tail))
    {
      g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                   _ ("Key the last four digits of the card"));
      return NULL;
    }
  payment = till_sale_payment_new ("card", TILL_TENDER_KIND_CARD, request->amount);
  payment->reference = g_steal_pointer (&reference);
  payment->account = g_strconcat ("**** ", tail, NULL);
  return payment;
}

static const char *
card_get_id (TillTender *self)
{
  return "card";
}

static char *
card_dup_label (TillTender *self)
{
  return g_strdup (_ ("Bank card"));
}

static TillTenderKind
card_get_kind (TillTender *self)
{
  return TILL_TENDER_KIND_CARD;
}

static void
card_tender_iface_init (TillTenderInterface *iface)
{
  iface->get_id = card_get_id;
  iface->dup_label = card_dup_label;
  iface->get_kind = card_get_kind;
  iface->authorize = authorize_card;
  /* No release: the cashier voids the payment on the terminal itself. */
}

static void
till_card_tender_class_init (TillCardTenderClass *klass)
{
}

static void
till_card_tender_init (TillCardTender *self)
{
}

/* Returns: (transfer full): the "cash" tender */
TillTender *
till_cash_tender_new (void)
{
  return g_object_new (TILL_TYPE_CASH_TENDER, NULL);
}

/* Returns: (transfer full): the "card" tender (standalone terminal) */
TillTender *
till_card_tender_new (void)
{
  return g_object_new (TILL_TYPE_CARD_TENDER, NULL);
}
