/* till-tender.c: the tender driver interface, tender kinds and one tender of a
 * payment
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-tender"

#include "config.h"

#include "till-tender.h"

G_DEFINE_INTERFACE (TillTender, till_tender, G_TYPE_OBJECT)

G_DEFINE_QUARK (till_tender_error_quark, till_tender_error)

G_DEFINE_BOXED_TYPE (TillSalePayment,
                     till_sale_payment,
                     till_sale_payment_copy,
                     till_sale_payment_free)

/* Indexed by TillTenderKind: the names stored in payment.kind and
 * cart_tender.kind. */
static const char *const kind_names[] = {
  [TILL_TENDER_KIND_CASH] = "cash",       [TILL_TENDER_KIND_CARD] = "card",
  [TILL_TENDER_KIND_WALLET] = "wallet",   [TILL_TENDER_KIND_STORED_VALUE] = "stored-value",
  [TILL_TENDER_KIND_VOUCHER] = "voucher", [TILL_TENDER_KIND_EXCHANGE] = "exchange",
  [TILL_TENDER_KIND_POINTS] = "points",
};

static void
till_tender_real_authorize_async (TillTender              *self,
                                  const TillTenderRequest *request,
                                  GCancellable            *cancellable,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError          *error = NULL;
  TillSalePayment *payment;

  g_task_set_source_tag (task, till_tender_real_authorize_async);
  payment = TILL_TENDER_GET_IFACE (self)->authorize (self, request, &error);
  if (payment == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, payment, (GDestroyNotify) till_sale_payment_free);
}

static TillSalePayment *
till_tender_real_authorize_finish (TillTender *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
till_tender_default_init (TillTenderInterface *iface)
{
  iface->authorize_async = till_tender_real_authorize_async;
  iface->authorize_finish = till_tender_real_authorize_finish;
}

/**
 * till_tender_kind_to_string:
 *
 * Returns: (transfer none): the kind's stored name, "cash", "card", …
 */
const char *
till_tender_kind_to_string (TillTenderKind kind)
{
  g_return_val_if_fail ((guint) kind < G_N_ELEMENTS (kind_names), NULL);
  return kind_names[kind];
}

/**
 * till_tender_kind_from_string:
 * @out_kind: (out): the kind named by @text
 *
 * Returns: %FALSE when @text names no kind (@out_kind untouched)
 */
gboolean
till_tender_kind_from_string (const char *text, TillTenderKind *out_kind)
{
  g_return_val_if_fail (out_kind != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    {
      if (g_strcmp0 (kind_names[i], text) == 0)
        {
          *out_kind = (TillTenderKind) i;
          return TRUE;
        }
    }
  return FALSE;
}

/**
 * till_sale_payment_new:
 * @method: the tender's id, e.g. "cash"
 *
 * Returns: (transfer full): a tender paying @amount fen, with tendered =
 *   @amount, no change and no reference
 */
TillSalePayment *
till_sale_payment_new (const char *method, TillTenderKind kind, gint64 amount)
{
  TillSalePayment *payment;

  g_return_val_if_fail (method != NULL, NULL);

  payment = g_new0 (TillSalePayment, 1);
  payment->method = g_strdup (method);
  payment->kind = kind;
  payment->amount = amount;
  payment->tendered = amount;
  return payment;
}

/* Returns: (transfer full): a deep copy of @payment */
TillSalePayment *
till_sale_payment_copy (const TillSalePayment *payment)
{
  TillSalePayment *copy;

  g_return_val_if_fail (payment != NULL, NULL);

  copy = g_memdup2 (payment, sizeof *payment);
  copy->method = g_strdup (payment->method);
  copy->reference = g_strdup (payment->reference);
  copy->account = g_strdup (payment->account);
  copy->attempt = g_strdup (payment->attempt);
  return copy;
}

void
till_sale_payment_free (TillSalePayment *payment)
{
  if (payment == NULL)
    return;
  g_free (payment->method);
  g_free (payment->reference);
  g_free (payment->account);
  g_free (payment->attempt);
  g_free (payment);
}

/* Returns: (transfer none): the tender's id, e.g. "cash", "wechat" */
const char *
till_tender_get_id (TillTender *self)
{
  g_return_val_if_fail (TILL_IS_TENDER (self), NULL);
  return TILL_TENDER_GET_IFACE (self)->get_id (self);
}

/* Returns: (transfer full): the translated name for the tender's button */
char *
till_tender_dup_label (TillTender *self)
{
  g_return_val_if_fail (TILL_IS_TENDER (self), NULL);
  return TILL_TENDER_GET_IFACE (self)->dup_label (self);
}

TillTenderKind
till_tender_get_kind (TillTender *self)
{
  g_return_val_if_fail (TILL_IS_TENDER (self), TILL_TENDER_KIND_CASH);
  return TILL_TENDER_GET_IFACE (self)->get_kind (self);
}

/**
 * till_tender_authorize_async:
 * @request: what the cashier asks; copied as needed by the driver
 *
 * Takes (or checks it can take) @request's money; finish with
 * till_tender_authorize_finish() on the main context.
 */
void
till_tender_authorize_async (TillTender              *self,
                             const TillTenderRequest *request,
                             GCancellable            *cancellable,
                             GAsyncReadyCallback      callback,
                             gpointer                 user_data)
{
  g_return_if_fail (TILL_IS_TENDER (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  TILL_TENDER_GET_IFACE (self)->authorize_async (self, request, cancellable, callback, user_data);
}

/**
 * till_tender_authorize_finish:
 *
 * Returns: (transfer full): the tender to apply (till_payment_add), or %NULL
 *   with @error set (a TILL_TENDER_ERROR saying why)
 */
TillSalePayment *
till_tender_authorize_finish (TillTender *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TILL_IS_TENDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return TILL_TENDER_GET_IFACE (self)->authorize_finish (self, result, error);
}

gboolean
till_tender_decides_at_once (TillTender *self)
{
  g_return_val_if_fail (TILL_IS_TENDER (self), FALSE);

  return TILL_TENDER_GET_IFACE (self)->authorize != NULL;
}

/**
 * till_tender_authorize:
 *
 * For tenders that decide at once (till_tender_decides_at_once()): the
 * same answer as the async call, now.
 *
 * Returns: (transfer full): the tender to apply, or %NULL with @error set
 */
TillSalePayment *
till_tender_authorize (TillTender *self, const TillTenderRequest *request, GError **error)
{
  g_return_val_if_fail (till_tender_decides_at_once (self), NULL);
  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return TILL_TENDER_GET_IFACE (self)->authorize (self, request, error);
}

/**
 * till_tender_release_async:
 * @payment: the applied tender to undo
 *
 * Undoes @payment before the sale is recorded. Drivers without a release
 * (nothing moved before the sale's transaction) finish at once with %TRUE.
 */
void
till_tender_release_async (TillTender            *self,
                           const TillSalePayment *payment,
                           GCancellable          *cancellable,
                           GAsyncReadyCallback    callback,
                           gpointer               user_data)
{
  TillTenderInterface *iface;
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TILL_IS_TENDER (self));
  g_return_if_fail (payment != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  iface = TILL_TENDER_GET_IFACE (self);
  if (iface->release_async != NULL)
    {
      iface->release_async (self, payment, cancellable, callback, user_data);
      return;
    }
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, till_tender_release_async);
  g_task_return_boolean (task, TRUE);
}

/* Returns: %TRUE when the tender was released; %FALSE with @error set */
gboolean
till_tender_release_finish (TillTender *self, GAsyncResult *result, GError **error)
{
  TillTenderInterface *iface;

  g_return_val_if_fail (TILL_IS_TENDER (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (g_async_result_is_tagged (result, till_tender_release_async))
    return g_task_propagate_boolean (G_TASK (result), error);
  iface = TILL_TENDER_GET_IFACE (self);
  g_return_val_if_fail (iface->release_finish != NULL, FALSE);
  return iface->release_finish (self, result, error);
}
