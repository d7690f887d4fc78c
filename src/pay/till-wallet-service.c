/* till-wallet-service.c: taking a QR wallet payment done right: the attempt
 * written first, then pay, poll while the customer confirms, reverse on
 * timeout or when the cashier gives up; resumed after a crash; refunds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-wallet-service"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-wallet-service.h"

#define N_PROVIDERS (TILL_WALLET_UNIONPAY + 1)

struct _TillWalletService
{
  GObject parent_instance;

  TillStore        *store;
  TillWalletClient *clients[N_PROVIDERS];
  TillWalletCadence cadences[N_PROVIDERS];
  /* out_trade_no and out_refund_no of everything in flight in this process,
   * so resume() never starts a second flow on the same request. */
  GHashTable *in_flight;
  guint       n_resuming;
};

G_DEFINE_FINAL_TYPE (TillWalletService, till_wallet_service, G_TYPE_OBJECT)

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_ATTEMPT_RESOLVED,
  SIGNAL_REFUND_RESOLVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef enum
{
  FLOW_PAY,     /* pay_async: the cashier waits */
  FLOW_RESUME,  /* an attempt carried on after a restart */
  FLOW_RELEASE, /* reverse_async: a paid tender taken off */
} FlowKind;

typedef void (*FlowStep) (GTask *task);

/* One attempt being carried to its end; the GTask's data. */
typedef struct
{
  FlowKind           kind;
  TillWalletAttempt *attempt;
  char              *auth_code;   /* the whole code, in memory only, for the pay request */
  char              *masked_code; /* for the logs */
  char              *label;       /* the wallet's name, for messages */
  TillWalletClient  *client;
  TillWalletCadence  cadence;
  gint64             pay_us;       /* monotonic time of the pay request (or its equivalent) */
  gboolean           cancelled;    /* the cashier gave up */
  gboolean           not_paid;     /* the last query said definitely not paid */
  gboolean           was_deferred; /* a confirm-later payment charged now */
  guint              n_queries;
  guint              n_reverses;
  GSource           *wait_source;
  FlowStep           wait_step;
  GSource           *cancel_source;
} Flow;

static void step_query (GTask *task);
static void step_reverse (GTask *task);
static void begin_reverse (GTask *task);

static void
flow_free (Flow *flow)
{
  if (flow->wait_source != NULL)
    {
      g_source_destroy (flow->wait_source);
      g_source_unref (flow->wait_source);
    }
  if (flow->cancel_source != NULL)
    {
      g_source_destroy (flow->cancel_source);
      g_source_unref (flow->cancel_source);
    }
  g_clear_pointer (&flow->attempt, till_wallet_attempt_free);
  if (flow->auth_code != NULL)
    memset (flow->auth_code, 0, strlen (flow->auth_code));
  g_free (flow->auth_code);
  g_free (flow->masked_code);
  g_free (flow->label);
  g_clear_object (&flow->client);
  g_free (flow);
}

static TillWalletService *
flow_service (GTask *task)
{
  return TILL_WALLET_SERVICE (g_task_get_source_object (task));
}

static Flow *
flow_of (GTask *task)
{
  return g_task_get_task_data (task);
}

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static gint64
deadline_us (Flow *flow)
{
  return flow->pay_us + (gint64) flow->cadence.deadline_ms * 1000;
}

static void
set_text (char **field, const char *text)
{
  char *copy = g_strdup (text);

  g_free (*field);
  *field = copy;
}

static void
emit_progress (GTask *task, const char *message)
{
  Flow *flow = flow_of (task);

  g_signal_emit (flow_service (task), signals[SIGNAL_PROGRESS], 0, flow->attempt, message);
}

/* Writes the attempt; a failure is logged: the row keeps its last durable
 * state, which a restarted till carries on from. */
static gboolean
save_attempt (GTask *task)
{
  Flow *flow = flow_of (task);
  g_autoptr (GError) error = NULL;

  if (till_wallet_attempt_save (flow_service (task)->store, flow->attempt, &error))
    return TRUE;
  g_warning ("Wallet payment %s: cannot record state %s: %s", flow->attempt->out_trade_no,
             till_wallet_state_to_string (flow->attempt->state), error->message);
  return FALSE;
}

static void
take_reply_texts (Flow *flow, const TillWalletReply *reply)
{
  if (reply->code != NULL)
    set_text (&flow->attempt->error_code, reply->code);
  if (reply->message != NULL)
    set_text (&flow->attempt->message, reply->message);
}

/* Ends the flow: no more waiting, no more watching the cancellable. */
static void
flow_stop (GTask *task)
{
  Flow *flow = flow_of (task);

  if (flow->wait_source != NULL)
    {
      g_source_destroy (flow->wait_source);
      g_clear_pointer (&flow->wait_source, g_source_unref);
    }
  if (flow->cancel_source != NULL)
    {
      g_source_destroy (flow->cancel_source);
      g_clear_pointer (&flow->cancel_source, g_source_unref);
    }
  g_hash_table_remove (flow_service (task)->in_flight, flow->attempt->out_trade_no);
}

static void
finish_paid (GTask *task)
{
  Flow *flow = flow_of (task);

  flow->attempt->state = TILL_WALLET_STATE_PAID;
  if (!save_attempt (task))
    {
      flow_stop (task);
      g_task_return_new_error (task, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                               _ ("%s confirmed the payment, but the till could not record it; "
                                  "it will be checked again"),
                               flow->label);
      return;
    }
  g_message ("Wallet payment %s (code %s, %" G_GINT64_FORMAT " fen) paid: transaction %s",
             flow->attempt->out_trade_no, flow->masked_code, flow->attempt->amount,
             flow->attempt->transaction_id != NULL ? flow->attempt->transaction_id : "?");
  flow_stop (task);
  if (flow->kind == FLOW_RELEASE)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_pointer (task, till_wallet_attempt_copy (flow->attempt),
                           (GDestroyNotify) till_wallet_attempt_free);
}

/* Ends the flow with the attempt in @state and @code. */
static void
finish_error (GTask *task, TillWalletState state, TillTenderError code, const char *message)
{
  Flow *flow = flow_of (task);

  flow->attempt->state = state;
  save_attempt (task);
  if (flow->was_deferred && state != TILL_WALLET_STATE_PAID)
    g_warning ("Wallet payment %s accepted offline to confirm later could not be charged "
               "(%s: %s): %" G_GINT64_FORMAT " fen are receivable from the customer of sale %s",
               flow->attempt->out_trade_no, till_wallet_state_to_string (state),
               flow->attempt->message != NULL ? flow->attempt->message : "", flow->attempt->amount,
               flow->attempt->sale_uuid != NULL ? flow->attempt->sale_uuid : "(not recorded)");
  else
    g_message ("Wallet payment %s (code %s) ended %s: %s", flow->attempt->out_trade_no,
               flow->masked_code, till_wallet_state_to_string (state), message);
  flow_stop (task);
  g_task_return_new_error (task, TILL_TENDER_ERROR, code, "%s", message);
}

static gboolean
wait_done_cb (gpointer user_data)
{
  GTask   *task = user_data;
  Flow    *flow = flow_of (task);
  FlowStep step = flow->wait_step;

  g_clear_pointer (&flow->wait_source, g_source_unref);
  flow->wait_step = NULL;
  step (task);
  return G_SOURCE_REMOVE;
}

/* Runs @step after @delay_ms on the task's context (at once when the cashier
 * cancels: see cancelled_cb). */
static void
flow_wait (GTask *task, gint64 delay_ms, FlowStep step)
{
  Flow *flow = flow_of (task);

  g_assert (flow->wait_source == NULL);
  flow->wait_step = step;
  flow->wait_source = g_timeout_source_new ((guint) CLAMP (delay_ms, 0, G_MAXUINT));
  g_source_set_callback (flow->wait_source, wait_done_cb, g_object_ref (task), g_object_unref);
  g_source_attach (flow->wait_source, g_task_get_context (task));
}

static gboolean
cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  Flow  *flow = flow_of (task);

  (void) cancellable;
  g_message ("Wallet payment %s: the cashier cancelled", flow->attempt->out_trade_no);
  flow->cancelled = TRUE;
  g_clear_pointer (&flow->cancel_source, g_source_unref);
  /* Waiting to query again: give up now. A request in flight is let finish;
   * its reply then sees the flag. */
  if (flow->wait_source != NULL && flow->wait_step == step_query)
    {
      g_source_destroy (flow->wait_source);
      g_clear_pointer (&flow->wait_source, g_source_unref);
      flow->wait_step = NULL;
      begin_reverse (task);
    }
  return G_SOURCE_REMOVE;
}

/* What the customer is waiting for, for the cashier. */
static void
report_waiting (GTask *task, const TillWalletReply *reply)
{
  Flow            *flow = flow_of (task);
  g_autofree char *message = NULL;

  if (reply->waiting_for_user)
    message = g_strdup (_ ("Waiting for the customer to enter the payment password"));
  else
    message = g_strdup_printf (_ ("Waiting for %s to confirm the payment"), flow->label);
  emit_progress (task, message);
}

/* The outcome is not known: ask again, or give up at the deadline. */
static void
carry_on_unknown (GTask *task, guint delay_ms)
{
  Flow  *flow = flow_of (task);
  gint64 now = now_us ();
  gint64 wake;

  /* An unknown pay reply is always followed by one query at least, even
   * when the reply itself took past the deadline (a stalled connection): the
   * money may well have been taken, and a query costs nothing. */
  if (flow->cancelled || (now >= deadline_us (flow) && flow->n_queries > 0))
    {
      begin_reverse (task);
      return;
    }
  if (now >= deadline_us (flow))
    {
      flow_wait (task, delay_ms, step_query);
      return;
    }
  wake = MIN (now + (gint64) delay_ms * 1000, deadline_us (flow));
  flow_wait (task, (wake - now + 999) / 1000, step_query);
}

/* The provider says the money was taken. */
static void
take_paid (GTask *task, const TillWalletReply *reply)
{
  Flow *flow = flow_of (task);

  if (reply->amount >= 0 && reply->amount != flow->attempt->amount)
    {
      /* Never accept a payment for another amount as this one. */
      g_warning ("Wallet payment %s: %s reports %" G_GINT64_FORMAT
                 " fen paid, not %" G_GINT64_FORMAT "; reversing it",
                 flow->attempt->out_trade_no, flow->label, reply->amount, flow->attempt->amount);
      set_text (&flow->attempt->message, _ ("The wallet reported another amount"));
      begin_reverse (task);
      return;
    }
  if (reply->transaction_id != NULL)
    set_text (&flow->attempt->transaction_id, reply->transaction_id);
  if (reply->buyer != NULL)
    set_text (&flow->attempt->buyer, reply->buyer);
  take_reply_texts (flow, reply);
  if (flow->cancelled && flow->kind == FLOW_PAY)
    {
      /* The cashier gave up while the provider charged: give it back. */
      flow->attempt->state = TILL_WALLET_STATE_PAID;
      save_attempt (task);
      begin_reverse (task);
      return;
    }
  finish_paid (task);
}

static void
pay_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Flow *flow = flow_of (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletReply) reply = NULL;
  g_autofree char *message = NULL;

  reply = till_wallet_client_call_finish (TILL_WALLET_CLIENT (source), result, &error);
  if (reply == NULL)
    {
      /* Not configured: the request never left. */
      set_text (&flow->attempt->message, error->message);
      message = g_strdup_printf (_ ("%s cannot be used: %s"), flow->label, error->message);
      finish_error (task, TILL_WALLET_STATE_FAILED, TILL_TENDER_ERROR_FAILED, message);
      return;
    }
  g_info ("Wallet payment %s (code %s): pay replied %s %s", flow->attempt->out_trade_no,
          flow->masked_code,
          reply->outcome == TILL_WALLET_OUTCOME_DONE       ? "done"
          : reply->outcome == TILL_WALLET_OUTCOME_NOT_DONE ? "not done"
                                                           : "unknown",
          reply->code != NULL ? reply->code : "");

  switch (reply->outcome)
    {
    case TILL_WALLET_OUTCOME_DONE:
      take_paid (task, reply);
      return;

    case TILL_WALLET_OUTCOME_NOT_DONE:
      take_reply_texts (flow, reply);
      if (reply->offline)
        {
          message = g_strdup_printf (_ ("No network is available for %s: nothing was charged"),
                                     flow->label);
          finish_error (task, TILL_WALLET_STATE_FAILED, TILL_TENDER_ERROR_OFFLINE, message);
        }
      else
        {
          message = g_strdup_printf (
              _ ("%s declined the payment: %s"), flow->label,
              reply->message != NULL && *reply->message != '\0' ? reply->message : reply->code);
          finish_error (task, TILL_WALLET_STATE_FAILED, TILL_TENDER_ERROR_DECLINED, message);
        }
      return;

    case TILL_WALLET_OUTCOME_UNKNOWN:
    default:
      take_reply_texts (flow, reply);
      save_attempt (task);
      report_waiting (task, reply);
      carry_on_unknown (task, flow->cadence.first_query_ms);
      return;
    }
}

static void
query_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Flow *flow = flow_of (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletReply) reply = NULL;
  g_autofree char *message = NULL;

  reply = till_wallet_client_call_finish (TILL_WALLET_CLIENT (source), result, &error);
  if (reply == NULL)
    {
      reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);
      reply->code = g_strdup ("ERROR");
      reply->message = g_strdup (error->message);
    }
  flow->n_queries++;
  g_info ("Wallet payment %s (code %s): query %u replied %s %s", flow->attempt->out_trade_no,
          flow->masked_code, flow->n_queries,
          reply->outcome == TILL_WALLET_OUTCOME_DONE       ? "done"
          : reply->outcome == TILL_WALLET_OUTCOME_NOT_DONE ? "not done"
                                                           : "unknown",
          reply->code != NULL ? reply->code : "");

  switch (reply->outcome)
    {
    case TILL_WALLET_OUTCOME_DONE:
      take_paid (task, reply);
      return;

    case TILL_WALLET_OUTCOME_NOT_DONE:
      take_reply_texts (flow, reply);
      flow->not_paid = TRUE;
      /* At the deadline, or when the cashier gave up, "not paid" may still
       * be an order the customer could confirm a moment later: close it for
       * good (PAYMENTS.md §0.1). After a restart too: a pay request that
       * did leave may reach the provider after this query, and only a
       * reversal keeps it from taking money the till would never know of. */
      if (flow->cancelled || flow->kind == FLOW_RESUME || now_us () >= deadline_us (flow))
        {
          begin_reverse (task);
          return;
        }
      message = g_strdup_printf (_ ("%s declined the payment: %s"), flow->label,
                                 reply->message != NULL && *reply->message != '\0' ? reply->message
                                                                                   : reply->code);
      finish_error (task, TILL_WALLET_STATE_FAILED, TILL_TENDER_ERROR_DECLINED, message);
      return;

    case TILL_WALLET_OUTCOME_UNKNOWN:
    default:
      take_reply_texts (flow, reply);
      flow->not_paid = FALSE;
      if (reply->waiting_for_user)
        report_waiting (task, reply);
      carry_on_unknown (task, flow->cadence.poll_interval_ms);
      return;
    }
}

static void
step_query (GTask *task)
{
  Flow *flow = flow_of (task);

  g_debug ("Wallet payment %s: query", flow->attempt->out_trade_no);
  till_wallet_client_query_async (flow->client, flow->attempt->out_trade_no, NULL, query_done_cb,
                                  g_object_ref (task));
}

/* The reversal is over: closed, or the money given back. */
static void
finish_reversed (GTask *task, gboolean refunded)
{
  Flow            *flow = flow_of (task);
  g_autofree char *message = NULL;

  if (flow->kind == FLOW_RELEASE)
    {
      flow->attempt->state = TILL_WALLET_STATE_REVERSED;
      save_attempt (task);
      g_message ("Wallet payment %s released: reversed", flow->attempt->out_trade_no);
      flow_stop (task);
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (flow->cancelled)
    message = g_strdup (refunded ? _ ("The payment was cancelled and the money returned to the "
                                      "customer")
                                 : _ ("The payment was cancelled; nothing was charged"));
  else if (refunded)
    message = g_strdup (_ ("The payment was reversed and the money returned to the customer"));
  else
    message = g_strdup (_ ("The customer did not confirm in time; nothing was charged"));
  finish_error (task, TILL_WALLET_STATE_REVERSED,
                flow->cancelled ? TILL_TENDER_ERROR_CANCELLED : TILL_TENDER_ERROR_UNCONFIRMED,
                message);
}

static void
finish_stuck (GTask *task)
{
  Flow            *flow = flow_of (task);
  g_autofree char *message = NULL;

  g_warning ("Wallet payment %s (%s, %" G_GINT64_FORMAT " fen, code %s) could not be reversed "
             "after %u tries: settle it with %s",
             flow->attempt->out_trade_no, till_wallet_provider_to_string (flow->attempt->provider),
             flow->attempt->amount, flow->masked_code, flow->n_reverses, flow->label);
  message = g_strdup_printf (_ ("The payment could not be cancelled with %s: settle order %s "
                                "with the provider"),
                             flow->label, flow->attempt->out_trade_no);
  finish_error (task, TILL_WALLET_STATE_STUCK, TILL_TENDER_ERROR_STUCK, message);
}

static void
reverse_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Flow *flow = flow_of (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletReply) reply = NULL;
  g_autofree char *message = NULL;

  reply = till_wallet_client_call_finish (TILL_WALLET_CLIENT (source), result, &error);
  if (reply == NULL)
    {
      reply = till_wallet_reply_new (TILL_WALLET_OUTCOME_UNKNOWN);
      reply->code = g_strdup ("ERROR");
      reply->message = g_strdup (error->message);
    }
  g_info ("Wallet payment %s (code %s): reverse %u replied %s %s%s", flow->attempt->out_trade_no,
          flow->masked_code, flow->n_reverses,
          reply->outcome == TILL_WALLET_OUTCOME_DONE       ? "done"
          : reply->outcome == TILL_WALLET_OUTCOME_NOT_DONE ? "not done"
                                                           : "unknown",
          reply->code != NULL ? reply->code : "", reply->retry ? " (call again)" : "");
  take_reply_texts (flow, reply);

  if (reply->outcome == TILL_WALLET_OUTCOME_DONE && !reply->retry)
    {
      finish_reversed (task, reply->refunded);
      return;
    }
  if (reply->outcome == TILL_WALLET_OUTCOME_NOT_DONE && !reply->retry)
    {
      if (flow->not_paid && flow->kind != FLOW_RELEASE)
        {
          /* Nothing to close: the provider has no payment to reverse. */
          message = g_strdup (_ ("The customer did not confirm in time; nothing was charged"));
          finish_error (task, TILL_WALLET_STATE_FAILED,
                        flow->cancelled ? TILL_TENDER_ERROR_CANCELLED
                                        : TILL_TENDER_ERROR_UNCONFIRMED,
                        message);
          return;
        }
      finish_stuck (task);
      return;
    }
  if (flow->n_reverses >= flow->cadence.reverse_tries)
    {
      finish_stuck (task);
      return;
    }
  flow_wait (task, flow->cadence.reverse_interval_ms, step_reverse);
}

static void
step_reverse (GTask *task)
{
  Flow  *flow = flow_of (task);
  gint64 earliest = flow->pay_us + (gint64) flow->cadence.min_reverse_ms * 1000;
  gint64 now = now_us ();

  /* WeChat: never earlier than 15 s after the pay request (§1.8). */
  if (now < earliest)
    {
      flow_wait (task, (earliest - now + 999) / 1000, step_reverse);
      return;
    }
  flow->n_reverses++;
  g_message ("Wallet payment %s (code %s): reverse, try %u of %u", flow->attempt->out_trade_no,
             flow->masked_code, flow->n_reverses, flow->cadence.reverse_tries);
  till_wallet_client_reverse_async (flow->client, flow->attempt->out_trade_no, NULL,
                                    reverse_done_cb, g_object_ref (task));
}

static void
begin_reverse (GTask *task)
{
  Flow            *flow = flow_of (task);
  g_autofree char *message = NULL;

  flow->attempt->state = TILL_WALLET_STATE_REVERSING;
  save_attempt (task);
  if (flow->kind != FLOW_RELEASE)
    {
      message = g_strdup_printf (flow->cancelled ? _ ("Cancelling the payment with %s")
                                                 : _ ("%s did not confirm the payment; "
                                                      "cancelling it"),
                                 flow->label);
      emit_progress (task, message);
    }
  step_reverse (task);
}

static void
step_pay (GTask *task)
{
  TillWalletService *self = flow_service (task);
  Flow              *flow = flow_of (task);
  g_autofree char   *subject = till_store_get_setting (self->store, "store.name");

  if (subject == NULL || *subject == '\0')
    {
      g_free (subject);
      subject = g_strdup (_ ("Purchase"));
    }
  flow->pay_us = now_us ();
  g_message ("Wallet payment %s: pay %" G_GINT64_FORMAT " fen with %s code %s",
             flow->attempt->out_trade_no, flow->attempt->amount,
             till_wallet_provider_to_string (flow->attempt->provider), flow->masked_code);
  till_wallet_client_pay_async (flow->client, flow->attempt->out_trade_no, flow->auth_code,
                                flow->attempt->amount, subject, NULL, pay_done_cb,
                                g_object_ref (task));
}

static Flow *
flow_new (TillWalletService *self, FlowKind kind, TillWalletAttempt *attempt)
{
  Flow *flow = g_new0 (Flow, 1);

  flow->kind = kind;
  flow->attempt = attempt;
  flow->masked_code = till_wallet_mask_code (attempt->auth_code != NULL ? attempt->auth_code : "");
  flow->label = till_wallet_provider_dup_label (attempt->provider);
  flow->client = g_object_ref (self->clients[attempt->provider]);
  flow->cadence = self->cadences[attempt->provider];
  /* A flow picked up from the database counts from when it was decided. */
  flow->pay_us = now_us () - MAX (g_get_real_time () - attempt->created_us, 0);
  g_hash_table_add (self->in_flight, g_strdup (attempt->out_trade_no));
  return flow;
}

static void
watch_cancellable (GTask *task, GCancellable *cancellable)
{
  Flow *flow = flow_of (task);

  if (cancellable == NULL)
    return;
  flow->cancel_source = g_cancellable_source_new (cancellable);
  g_source_set_callback (flow->cancel_source, G_SOURCE_FUNC (cancelled_cb), g_object_ref (task),
                         g_object_unref);
  g_source_attach (flow->cancel_source, g_task_get_context (task));
}

static gboolean
check_provider (TillWalletService *self, TillWalletProvider provider, GError **error)
{
  g_autofree char *label = NULL;

  if (provider > TILL_WALLET_NONE && provider < N_PROVIDERS && self->clients[provider] != NULL)
    return TRUE;
  label = till_wallet_provider_dup_label (provider);
  g_set_error (error, TILL_TENDER_ERROR, TILL_TENDER_ERROR_DISABLED,
               _ ("%s is not set up on this till"), label != NULL ? label : "?");
  return FALSE;
}

/* Resume */

static void
resume_flow_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TillWalletService *self = TILL_WALLET_SERVICE (source);
  GTask             *task = G_TASK (result);
  Flow              *flow = flow_of (task);
  g_autoptr (TillWalletAttempt) paid = NULL;
  g_autoptr (GError) error = NULL;

  (void) user_data;
  paid = g_task_propagate_pointer (task, &error);
  g_signal_emit (self, signals[SIGNAL_ATTEMPT_RESOLVED], 0, flow->attempt);
  g_assert (self->n_resuming > 0);
  self->n_resuming--;
}

static void
resume_attempt (TillWalletService *self, TillWalletAttempt *attempt)
{
  g_autoptr (GTask) task = NULL;
  Flow *flow;

  if (!check_provider (self, attempt->provider, NULL))
    {
      g_warning ("Wallet payment %s (%s) is %s, but no client is set up for it",
                 attempt->out_trade_no, till_wallet_provider_to_string (attempt->provider),
                 till_wallet_state_to_string (attempt->state));
      till_wallet_attempt_free (attempt);
      return;
    }
  task = g_task_new (self, NULL, resume_flow_done_cb, NULL);
  g_task_set_source_tag (task, resume_attempt);
  g_task_set_check_cancellable (task, FALSE);
  flow = flow_new (self, FLOW_RESUME, attempt);
  g_task_set_task_data (task, flow, (GDestroyNotify) flow_free);
  self->n_resuming++;

  g_message ("Wallet payment %s (%s, %" G_GINT64_FORMAT " fen, code %s) was %s: carrying on",
             attempt->out_trade_no, till_wallet_provider_to_string (attempt->provider),
             attempt->amount, flow->masked_code, till_wallet_state_to_string (attempt->state));
  switch (attempt->state)
    {
    case TILL_WALLET_STATE_DEFERRED:
      /* Charge it now, under the same out_trade_no. The row turns pending
       * (and keeps only the masked code) before the request leaves, so a till
       * killed now queries instead of paying twice. */
      flow->was_deferred = TRUE;
      flow->auth_code = g_strdup (attempt->auth_code);
      attempt->state = TILL_WALLET_STATE_PENDING;
      if (!save_attempt (task))
        {
          flow_stop (task);
          g_task_return_new_error (task, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                                   "cannot record the attempt");
          return;
        }
      step_pay (task);
      break;

    case TILL_WALLET_STATE_REVERSING:
      begin_reverse (task);
      break;

    case TILL_WALLET_STATE_PENDING:
    default:
      /* The pay reply was lost with the till: only a query can tell. */
      step_query (task);
      break;
    }
}

typedef struct
{
  TillWalletRefund *refund;
} RefundOp;

static void
refund_op_free (RefundOp *op)
{
  till_wallet_refund_free (op->refund);
  g_free (op);
}

static void
refund_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TillWalletService *self = TILL_WALLET_SERVICE (g_task_get_source_object (task));
  RefundOp          *op = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) save_error = NULL;
  g_autoptr (TillWalletReply) reply = NULL;
  gboolean resolved = FALSE;

  reply = till_wallet_client_call_finish (TILL_WALLET_CLIENT (source), result, &error);
  if (reply == NULL)
    {
      g_warning ("Wallet refund %s: %s", op->refund->out_refund_no, error->message);
    }
  else if (reply->outcome == TILL_WALLET_OUTCOME_DONE)
    {
      op->refund->state = TILL_WALLET_REFUND_DONE;
      set_text (&op->refund->refund_id, reply->transaction_id);
      set_text (&op->refund->message, reply->message);
      resolved = TRUE;
      g_message ("Wallet refund %s of %s (%" G_GINT64_FORMAT " fen) done: %s",
                 op->refund->out_refund_no, op->refund->out_trade_no, op->refund->amount,
                 reply->transaction_id != NULL ? reply->transaction_id : "?");
    }
  else if (reply->outcome == TILL_WALLET_OUTCOME_NOT_DONE)
    {
      op->refund->state = TILL_WALLET_REFUND_FAILED;
      set_text (&op->refund->message, reply->message != NULL ? reply->message : reply->code);
      resolved = TRUE;
      g_warning ("Wallet refund %s of %s (%" G_GINT64_FORMAT " fen) refused: %s %s",
                 op->refund->out_refund_no, op->refund->out_trade_no, op->refund->amount,
                 reply->code != NULL ? reply->code : "",
                 reply->message != NULL ? reply->message : "");
    }
  else
    {
      /* Unknown: stays pending; the same out_refund_no is sent next time. */
      set_text (&op->refund->message, reply->message != NULL ? reply->message : reply->code);
      g_message ("Wallet refund %s: outcome unknown (%s), retried later", op->refund->out_refund_no,
                 reply->code != NULL ? reply->code : "");
    }
  if (reply != NULL && !till_wallet_refund_save (self->store, op->refund, &save_error))
    {
      g_warning ("Wallet refund %s: cannot record it: %s", op->refund->out_refund_no,
                 save_error->message);
      resolved = FALSE;
    }
  g_hash_table_remove (self->in_flight, op->refund->out_refund_no);
  if (resolved)
    g_signal_emit (self, signals[SIGNAL_REFUND_RESOLVED], 0, op->refund);
  g_assert (self->n_resuming > 0);
  self->n_resuming--;
  g_task_return_boolean (task, resolved);
}

static void
resume_refund (TillWalletService *self, TillWalletRefund *refund)
{
  GTask    *task;
  RefundOp *op;

  if (!check_provider (self, refund->provider, NULL))
    {
      g_warning ("Wallet refund %s (%s) is pending, but no client is set up for it",
                 refund->out_refund_no, till_wallet_provider_to_string (refund->provider));
      till_wallet_refund_free (refund);
      return;
    }
  task = g_task_new (self, NULL, NULL, NULL);
  g_task_set_source_tag (task, resume_refund);
  op = g_new0 (RefundOp, 1);
  op->refund = refund;
  g_task_set_task_data (task, op, (GDestroyNotify) refund_op_free);
  g_hash_table_add (self->in_flight, g_strdup (refund->out_refund_no));
  self->n_resuming++;
  g_message ("Wallet refund %s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " fen of %s",
             refund->out_refund_no, refund->amount, refund->total, refund->out_trade_no);
  till_wallet_client_refund_async (self->clients[refund->provider], refund->out_trade_no,
                                   refund->out_refund_no, refund->total, refund->amount,
                                   _ ("Goods returned"), NULL, refund_done_cb, task);
}

/* Tender */

#define TILL_TYPE_WALLET_TENDER (till_wallet_tender_get_type ())
G_DECLARE_FINAL_TYPE (TillWalletTender, till_wallet_tender, TILL, WALLET_TENDER, GObject)

struct _TillWalletTender
{
  GObject            parent_instance;
  TillWalletService *service;
  TillWalletProvider provider;
};

static void till_wallet_tender_iface_init (TillTenderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TillWalletTender,
                               till_wallet_tender,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (TILL_TYPE_TENDER,
                                                      till_wallet_tender_iface_init))

static const char *
wallet_tender_get_id (TillTender *tender)
{
  return till_wallet_provider_to_string (TILL_WALLET_TENDER (tender)->provider);
}

static char *
wallet_tender_dup_label (TillTender *tender)
{
  return till_wallet_provider_dup_label (TILL_WALLET_TENDER (tender)->provider);
}

static TillTenderKind
wallet_tender_get_kind (TillTender *tender)
{
  (void) tender;
  return TILL_TENDER_KIND_WALLET;
}

static void
wallet_tender_pay_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) attempt = NULL;

  attempt = till_wallet_service_pay_finish (TILL_WALLET_SERVICE (source), result, &error);
  if (attempt == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, till_wallet_attempt_to_payment (attempt),
                           (GDestroyNotify) till_sale_payment_free);
}

static void
wallet_tender_authorize_async (TillTender              *tender,
                               const TillTenderRequest *request,
                               GCancellable            *cancellable,
                               GAsyncReadyCallback      callback,
                               gpointer                 user_data)
{
  TillWalletTender *self = TILL_WALLET_TENDER (tender);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  TillWalletProvider routed;
  g_autofree char   *label = till_wallet_provider_dup_label (self->provider);

  g_task_set_source_tag (task, wallet_tender_authorize_async);
  g_task_set_check_cancellable (task, FALSE);
  routed = till_wallet_route_code (request->input);
  if (routed == TILL_WALLET_NONE)
    {
      g_task_return_new_error (task, TILL_TENDER_ERROR, TILL_TENDER_ERROR_NOT_A_CODE,
                               _ ("This is not a payment code: ask the customer to show the "
                                  "%s payment code"),
                               label);
      return;
    }
  if (routed != self->provider)
    {
      g_autofree char *other = till_wallet_provider_dup_label (routed);

      g_task_return_new_error (task, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                               _ ("This is a %s payment code, not %s"), other, label);
      return;
    }
  till_wallet_service_pay_async (self->service, self->provider, request->cart_uuid, request->amount,
                                 request->input, cancellable, wallet_tender_pay_cb,
                                 g_steal_pointer (&task));
}

static TillSalePayment *
wallet_tender_authorize_finish (TillTender *tender, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, tender), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
wallet_tender_reverse_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (till_wallet_service_reverse_finish (TILL_WALLET_SERVICE (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
wallet_tender_release_async (TillTender            *tender,
                             const TillSalePayment *payment,
                             GCancellable          *cancellable,
                             GAsyncReadyCallback    callback,
                             gpointer               user_data)
{
  TillWalletTender *self = TILL_WALLET_TENDER (tender);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, wallet_tender_release_async);
  if (payment == NULL || payment->attempt == NULL)
    {
      g_task_return_new_error (task, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                               _ ("This tender names no wallet payment to give back"));
      return;
    }
  till_wallet_service_reverse_async (self->service, payment->attempt, cancellable,
                                     wallet_tender_reverse_cb, g_steal_pointer (&task));
}

static gboolean
wallet_tender_release_finish (TillTender *tender, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, tender), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
till_wallet_tender_finalize (GObject *object)
{
  TillWalletTender *self = TILL_WALLET_TENDER (object);

  g_clear_object (&self->service);
  G_OBJECT_CLASS (till_wallet_tender_parent_class)->finalize (object);
}

static void
till_wallet_tender_iface_init (TillTenderInterface *iface)
{
  iface->get_id = wallet_tender_get_id;
  iface->dup_label = wallet_tender_dup_label;
  iface->get_kind = wallet_tender_get_kind;
  iface->authorize_async = wallet_tender_authorize_async;
  iface->authorize_finish = wallet_tender_authorize_finish;
  iface->release_async = wallet_tender_release_async;
  iface->release_finish = wallet_tender_release_finish;
}

static void
till_wallet_tender_class_init (TillWalletTenderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = till_wallet_tender_finalize;
}

static void
till_wallet_tender_init (TillWalletTender *self)
{
  (void) self;
}

/* TillWalletService */

static void
till_wallet_service_dispose (GObject *object)
{
  TillWalletService *self = TILL_WALLET_SERVICE (object);

  for (guint i = 0; i < N_PROVIDERS; i++)
    g_clear_object (&self->clients[i]);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (till_wallet_service_parent_class)->dispose (object);
}

static void
till_wallet_service_finalize (GObject *object)
{
  TillWalletService *self = TILL_WALLET_SERVICE (object);

  g_hash_table_unref (self->in_flight);
  G_OBJECT_CLASS (till_wallet_service_parent_class)->finalize (object);
}

static void
till_wallet_service_class_init (TillWalletServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_wallet_service_dispose;
  object_class->finalize = till_wallet_service_finalize;

  signals[SIGNAL_PROGRESS] = g_signal_new (
      "progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 2,
      TILL_TYPE_WALLET_ATTEMPT | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_STRING);
  signals[SIGNAL_ATTEMPT_RESOLVED] =
      g_signal_new ("attempt-resolved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, TILL_TYPE_WALLET_ATTEMPT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_REFUND_RESOLVED] =
      g_signal_new ("refund-resolved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, TILL_TYPE_WALLET_REFUND | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
till_wallet_service_init (TillWalletService *self)
{
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < N_PROVIDERS; i++)
    till_wallet_cadence_init (&self->cadences[i], (TillWalletProvider) i);
}

/* Public API */

/**
 * till_wallet_cadence_init:
 *
 * The providers' documented cadence (PAYMENTS.md §0.3): WeChat polls every
 * 5 s up to 45 s and never reverses before 15 s; Alipay polls every 5 s up to
 * 30 s and cancels right after; reversals are tried 5 times 2 s apart.
 */
void
till_wallet_cadence_init (TillWalletCadence *cadence, TillWalletProvider provider)
{
  g_return_if_fail (cadence != NULL);

  cadence->first_query_ms = 5000;
  cadence->poll_interval_ms = 5000;
  cadence->deadline_ms = provider == TILL_WALLET_WECHAT ? 45000 : 30000;
  cadence->min_reverse_ms = provider == TILL_WALLET_WECHAT ? 15000 : 0;
  cadence->reverse_tries = 5;
  cadence->reverse_interval_ms = 2000;
}

/**
 * till_wallet_service_new:
 *
 * Returns: (transfer full): a service taking wallet payments recorded in
 *   @store; set a client per provider with till_wallet_service_set_client()
 */
TillWalletService *
till_wallet_service_new (TillStore *store)
{
  TillWalletService *self;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  self = g_object_new (TILL_TYPE_WALLET_SERVICE, NULL);
  self->store = g_object_ref (store);
  return self;
}

/**
 * till_wallet_service_set_client:
 * @cadence: (nullable): when to query and give up; %NULL: the provider's
 *   defaults
 *
 * Takes payments of @client's provider through @client.
 */
void
till_wallet_service_set_client (TillWalletService       *self,
                                TillWalletClient        *client,
                                const TillWalletCadence *cadence)
{
  TillWalletProvider provider;

  g_return_if_fail (TILL_IS_WALLET_SERVICE (self));
  g_return_if_fail (TILL_IS_WALLET_CLIENT (client));

  provider = till_wallet_client_get_provider (client);
  g_return_if_fail (provider > TILL_WALLET_NONE && provider < N_PROVIDERS);
  g_set_object (&self->clients[provider], client);
  if (cadence != NULL)
    self->cadences[provider] = *cadence;
  else
    till_wallet_cadence_init (&self->cadences[provider], provider);
}

/**
 * till_wallet_service_get_client:
 *
 * Returns: (transfer none) (nullable): the client for @provider
 */
TillWalletClient *
till_wallet_service_get_client (TillWalletService *self, TillWalletProvider provider)
{
  g_return_val_if_fail (TILL_IS_WALLET_SERVICE (self), NULL);
  g_return_val_if_fail ((guint) provider < N_PROVIDERS, NULL);
  return self->clients[provider];
}

/**
 * till_wallet_service_pay_async:
 * @cart_uuid: the sale uuid of the open cart
 * @amount: fen
 * @auth_code: the customer's scanned code
 * @cancellable: (nullable): the cashier giving up; the attempt is then
 *   reversed (never earlier than the provider allows) before this finishes
 *
 * Writes the attempt durably, then sends one pay request, and never a second
 * for the same attempt: an unknown outcome is resolved by queries until the
 * deadline, then by reversal.
 */
void
till_wallet_service_pay_async (TillWalletService  *self,
                               TillWalletProvider  provider,
                               const char         *cart_uuid,
                               gint64              amount,
                               const char         *auth_code,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  TillWalletAttempt *attempt;
  Flow              *flow;

  g_return_if_fail (TILL_IS_WALLET_SERVICE (self));
  g_return_if_fail (cart_uuid != NULL);
  g_return_if_fail (auth_code != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, till_wallet_service_pay_async);
  /* The result stands even when cancelled: CANCELLED comes from the flow,
   * after the reversal. */
  g_task_set_check_cancellable (task, FALSE);

  if (!check_provider (self, provider, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, TILL_TENDER_ERROR, TILL_TENDER_ERROR_CANCELLED,
                               _ ("The payment was cancelled; nothing was charged"));
      return;
    }
  attempt = till_wallet_attempt_begin (self->store, provider, cart_uuid, amount, auth_code, FALSE,
                                       &error);
  if (attempt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  flow = flow_new (self, FLOW_PAY, attempt);
  flow->auth_code = g_strstrip (g_strdup (auth_code));
  g_task_set_task_data (task, flow, (GDestroyNotify) flow_free);
  watch_cancellable (task, cancellable);
  step_pay (task);
}

/**
 * till_wallet_service_pay_finish:
 *
 * Returns: (transfer full): the paid attempt, or %NULL with a
 *   %TILL_TENDER_ERROR set (DECLINED, OFFLINE, UNCONFIRMED, CANCELLED, STUCK,
 *   DISABLED, FAILED)
 */
TillWalletAttempt *
till_wallet_service_pay_finish (TillWalletService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TILL_IS_WALLET_SERVICE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == till_wallet_service_pay_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * till_wallet_service_defer:
 *
 * Returns: (transfer full): the deferred attempt, charged by resume() when
 *   the network is back; or %NULL with @error set (OFFLINE when the store
 *   does not allow it, OVER_LIMIT over a cap)
 */
TillWalletAttempt *
till_wallet_service_defer (TillWalletService *self,
                           TillWalletProvider provider,
                           const char        *cart_uuid,
                           gint64             amount,
                           const char        *auth_code,
                           GError           **error)
{
  TillWalletAttempt *attempt;

  g_return_val_if_fail (TILL_IS_WALLET_SERVICE (self), NULL);
  g_return_val_if_fail (cart_uuid != NULL && auth_code != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_provider (self, provider, error) ||
      !till_wallet_deferred_allowed (self->store, amount, error))
    return NULL;
  attempt =
      till_wallet_attempt_begin (self->store, provider, cart_uuid, amount, auth_code, TRUE, error);
  if (attempt != NULL)
    g_message ("Wallet payment %s of %" G_GINT64_FORMAT " fen accepted to confirm later",
               attempt->out_trade_no, amount);
  return attempt;
}

/**
 * till_wallet_service_reverse_async:
 *
 * Gives back a paid attempt not yet recorded in a sale: reverse (cancel),
 * retried per the cadence. Finishes TRUE once reversed, or with
 * %TILL_TENDER_ERROR_STUCK.
 */
void
till_wallet_service_reverse_async (TillWalletService  *self,
                                   const char         *out_trade_no,
                                   GCancellable       *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillWalletAttempt) attempt = NULL;
  Flow *flow;

  g_return_if_fail (TILL_IS_WALLET_SERVICE (self));
  g_return_if_fail (out_trade_no != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, till_wallet_service_reverse_async);
  g_task_set_check_cancellable (task, FALSE);

  attempt = till_wallet_attempt_load (self->store, out_trade_no, &error);
  if (attempt == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (attempt->sale_uuid != NULL ||
      (attempt->state != TILL_WALLET_STATE_PAID && attempt->state != TILL_WALLET_STATE_REVERSING))
    {
      g_task_return_new_error (task, TILL_TENDER_ERROR, TILL_TENDER_ERROR_INVALID,
                               attempt->sale_uuid != NULL
                                   ? _ ("The wallet payment %s is part of a recorded sale: "
                                        "refund it with a return")
                                   : _ ("The wallet payment %s is not paid: there is nothing "
                                        "to give back"),
                               out_trade_no);
      return;
    }
  if (!check_provider (self, attempt->provider, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_hash_table_contains (self->in_flight, out_trade_no))
    {
      g_task_return_new_error (task, TILL_TENDER_ERROR, TILL_TENDER_ERROR_FAILED,
                               _ ("The wallet payment %s is still being processed"), out_trade_no);
      return;
    }
  flow = flow_new (self, FLOW_RELEASE, g_steal_pointer (&attempt));
  g_task_set_task_data (task, flow, (GDestroyNotify) flow_free);
  begin_reverse (task);
}

gboolean
till_wallet_service_reverse_finish (TillWalletService *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (TILL_IS_WALLET_SERVICE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * till_wallet_service_resume:
 *
 * Carries on every unresolved attempt (a pending one is queried until its
 * deadline, counted from when it began, then reversed; a reversing one is
 * reversed; a deferred one is charged under its own out_trade_no) and sends
 * every pending refund again with its own out_refund_no. Emits
 * "attempt-resolved" and "refund-resolved" as they end; is_busy() tells
 * when all have.
 */
void
till_wallet_service_resume (TillWalletService *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) attempts = NULL;
  g_autoptr (GPtrArray) refunds = NULL;

  g_return_if_fail (TILL_IS_WALLET_SERVICE (self));

  attempts = till_wallet_attempt_list_unresolved (self->store, &error);
  if (attempts == NULL)
    {
      g_warning ("Cannot read the unresolved wallet payments: %s", error->message);
      return;
    }
  g_ptr_array_set_free_func (attempts, NULL);
  for (guint i = 0; i < attempts->len; i++)
    {
      TillWalletAttempt *attempt = attempts->pdata[i];

      if (g_hash_table_contains (self->in_flight, attempt->out_trade_no))
        till_wallet_attempt_free (attempt);
      else
        resume_attempt (self, attempt);
    }

  refunds = till_wallet_refund_list_pending (self->store, &error);
  if (refunds == NULL)
    {
      g_warning ("Cannot read the pending wallet refunds: %s", error->message);
      return;
    }
  g_ptr_array_set_free_func (refunds, NULL);
  for (guint i = 0; i < refunds->len; i++)
    {
      TillWalletRefund *refund = refunds->pdata[i];

      if (g_hash_table_contains (self->in_flight, refund->out_refund_no))
        till_wallet_refund_free (refund);
      else
        resume_refund (self, refund);
    }
}

/**
 * till_wallet_service_is_busy:
 *
 * Returns: %TRUE while anything resume() started is still running
 */
gboolean
till_wallet_service_is_busy (TillWalletService *self)
{
  g_return_val_if_fail (TILL_IS_WALLET_SERVICE (self), FALSE);
  return self->n_resuming > 0;
}

/**
 * till_wallet_service_create_tender:
 *
 * Returns: (transfer full): the TillTender taking @provider's payment codes
 *   through @self
 */
TillTender *
till_wallet_service_create_tender (TillWalletService *self, TillWalletProvider provider)
{
  TillWalletTender *tender;

  g_return_val_if_fail (TILL_IS_WALLET_SERVICE (self), NULL);
  g_return_val_if_fail (provider > TILL_WALLET_NONE && provider < N_PROVIDERS, NULL);

  tender = g_object_new (TILL_TYPE_WALLET_TENDER, NULL);
  tender->service = g_object_ref (self);
  tender->provider = provider;
  return TILL_TENDER (tender);
}
