/* till-printer-monitor.c: sends the print queue to the printer and the drawer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-print"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <till-hw.h>
#include <till-receipt.h>
#include <till-shift-report.h>

#include "till-printer-monitor.h"

/* How long the printer has to answer each status request (DLE EOT n). */
#define STATUS_TIMEOUT_MS 500

/* The pause after a failed attempt doubles from the first to the last. */
#define RETRY_FIRST_S 2
#define RETRY_MAX_S 30

/* A drawer pulse this old is not sent any more: a drawer springing open minutes
 * after the sale, with nobody at the till, is worse than a cashier opening it
 * with the key. */
#define DRAWER_KICK_MAX_AGE_US (2 * G_USEC_PER_SEC * 60)

/* One device and the jobs it serves. With the drawer on the printer there is one
 * lane for everything (the pulse goes out just before its receipt); a drawer of
 * its own gets its own lane, so that a printer out of paper never keeps it shut. */
typedef struct
{
  char                *uri;
  TillPrintQueueFilter filter;
  gboolean             busy; /* a job is with the worker */
  guint                retry_source;
  guint                backoff_s; /* the pause before the next retry */
  char                *error;     /* why the last attempt failed, for the screen */
  char                *warning;   /* what the printer said while printing (paper low) */
} Lane;

struct _TillPrinterMonitor
{
  GObject parent_instance;

  TillStore          *store;
  char               *printer_uri;
  TillPrinterProfile *profile;       /* never NULL */
  char               *profile_error; /* the URI's printer options are wrong */
  Lane               *paper_lane;    /* NULL without a printer */
  Lane *drawer_lane; /* the paper lane when the drawer is on the printer; may be NULL */
  Lane  lanes[2];
  guint n_lanes;

  TillPrinterState state;
  char            *message;
  guint            n_pending;

  /* New URIs wait here while a job is with a worker thread (which points at
   * its lane): they take over when it is back. */
  gboolean reconfigure_pending;
  char    *next_printer_uri;
  char    *next_drawer_uri;
};

G_DEFINE_FINAL_TYPE (TillPrinterMonitor, till_printer_monitor, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_MESSAGE,
  PROP_N_PENDING,
  N_PROPS
};

enum
{
  SIGNAL_JOB_DONE,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

static void pump (TillPrinterMonitor *self, Lane *lane);
static void apply_pending_uris (TillPrinterMonitor *self);

/* What the worker thread gets: bytes and a device, never the store. */
typedef struct
{
  Lane    *lane;
  gint64   job_id;
  char    *uri;
  GBytes  *payload;
  gboolean is_drawer;
  char    *warning; /* set by the worker: the job printed, but the printer warns */
} SendData;

static void
send_data_free (SendData *data)
{
  g_free (data->uri);
  g_bytes_unref (data->payload);
  g_free (data->warning);
  g_free (data);
}

/* The paper width a printer URI names (width=58 or width=80; 80 mm by default). */
static TillPaperWidth
paper_from_uri (const char *uri)
{
  g_autoptr (GUri) parsed =
      g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_PARSE_RELAXED, NULL);
  g_autoptr (GHashTable) params = NULL;
  const char *query = parsed != NULL ? g_uri_get_query (parsed) : NULL;

  if (query == NULL)
    return TILL_PAPER_80MM;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params != NULL && g_strcmp0 (g_hash_table_lookup (params, "width"), "58") == 0)
    return TILL_PAPER_58MM;
  return TILL_PAPER_80MM;
}

static void
update_status (TillPrinterMonitor *self)
{
  g_autoptr (GError) error = NULL;
  TillPrinterState state = self->n_lanes == 0 ? TILL_PRINTER_STATE_NONE : TILL_PRINTER_STATE_READY;
  const char      *message = NULL;
  gint64           n_pending = till_print_queue_count_pending (self->store, &error);

  if (n_pending < 0)
    {
      g_warning ("Cannot count the print jobs: %s", error->message);
      n_pending = 0;
    }
  for (guint i = 0; i < self->n_lanes; i++)
    {
      Lane *lane = &self->lanes[i];

      if (lane->error != NULL && state != TILL_PRINTER_STATE_TROUBLE)
        {
          message = lane->error;
          state = TILL_PRINTER_STATE_TROUBLE;
        }
      else if (lane->busy && state == TILL_PRINTER_STATE_READY)
        state = TILL_PRINTER_STATE_PRINTING;
    }
  /* A wrong printer option is trouble until the configuration is fixed. */
  if (state != TILL_PRINTER_STATE_TROUBLE && self->profile_error != NULL && self->n_lanes > 0)
    {
      message = self->profile_error;
      state = TILL_PRINTER_STATE_TROUBLE;
    }
  /* A warning (paper running low) is said while printing goes on. */
  for (guint i = 0; message == NULL && i < self->n_lanes; i++)
    message = self->lanes[i].warning;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (g_strcmp0 (self->message, message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
    }
  if (self->n_pending != (guint) n_pending)
    {
      self->n_pending = (guint) n_pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

#define PRINTER_PROBLEMS                                                                          \
  (TILL_PRINTER_STATUS_OFFLINE | TILL_PRINTER_STATUS_COVER_OPEN | TILL_PRINTER_STATUS_PAPER_OUT | \
   TILL_PRINTER_STATUS_ERROR | TILL_PRINTER_STATUS_MECHANICAL_ERROR |                             \
   TILL_PRINTER_STATUS_AUTOCUTTER_ERROR | TILL_PRINTER_STATUS_UNRECOVERABLE_ERROR |               \
   TILL_PRINTER_STATUS_AUTO_RECOVERABLE_ERROR)

/* Asks the printer how it is (DLE EOT). FALSE when that is unknown: a transport
 * that cannot read back (file, cups, the in-process simulator), a printer that
 * does not answer, or a transport that failed (its own error tells then). */
static gboolean
ask_status (TillTransport *transport, TillPrinterStatus *out_status)
{
  g_autoptr (GError) error = NULL;

  if (!till_printer_status_query (transport, STATUS_TIMEOUT_MS, out_status, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
        g_debug ("No printer status from %s: %s", till_transport_get_uri (transport),
                 error->message);
      return FALSE;
    }
  return !(out_status->flags & TILL_PRINTER_STATUS_NO_ANSWER);
}

/* Worker thread: the device I/O, nothing else. Before a receipt the printer is
 * asked for its status, so that a printer out of paper or with its cover open
 * gets no receipt it cannot print and the screen says what to fix; after a
 * failed write it is asked again, for the same reason. A printer that cannot
 * answer gets the job all the same. A drawer pulse is always sent: the drawer
 * opens with the paper out. */
static void
send_thread_cb (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  SendData *data = task_data;
  g_autoptr (TillTransport) transport = NULL;
  TillPrinterStatus status = { 0 };
  GError           *error = NULL;

  transport = till_transport_open (data->uri, &error);
  if (transport == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!data->is_drawer && ask_status (transport, &status) && (status.flags & PRINTER_PROBLEMS))
    {
      g_autofree char *reason = till_printer_status_describe (&status);

      till_transport_close (transport, NULL);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", reason);
      return;
    }
  if (!till_transport_write_bytes (transport, data->payload, &error))
    {
      if (ask_status (transport, &status) && (status.flags & PRINTER_PROBLEMS))
        {
          g_autofree char *reason = till_printer_status_describe (&status);

          g_debug ("Writing to %s failed: %s", data->uri, error->message);
          g_clear_error (&error);
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_FAILED, reason);
        }
      till_transport_close (transport, NULL);
      g_task_return_error (task, error);
      return;
    }
  if (!till_transport_close (transport, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (status.flags & TILL_PRINTER_STATUS_PAPER_NEAR_END)
    data->warning = till_printer_status_describe (&status);
  g_task_return_boolean (task, TRUE);
}

typedef struct
{
  TillPrinterMonitor *self; /* weak: the source is removed in dispose */
  Lane               *lane;
} RetryData;

static gboolean
lane_retry_cb (gpointer user_data)
{
  RetryData *data = user_data;

  data->lane->retry_source = 0;
  pump (data->self, data->lane);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (TillPrinterMonitor *self, Lane *lane)
{
  RetryData *data = g_new0 (RetryData, 1);

  data->self = self;
  data->lane = lane;
  g_clear_handle_id (&lane->retry_source, g_source_remove);
  lane->retry_source =
      g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, lane->backoff_s, lane_retry_cb, data, g_free);
  lane->backoff_s = MIN (lane->backoff_s * 2, RETRY_MAX_S);
}

static void
send_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TillPrinterMonitor *self = TILL_PRINTER_MONITOR (source);
  SendData           *data = g_task_get_task_data (G_TASK (result));
  Lane               *lane = data->lane;
  const char         *reason;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) store_error = NULL;

  lane->busy = FALSE;
  if (g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!till_print_queue_mark_done (self->store, data->job_id, &store_error))
        g_warning ("Print job %" G_GINT64_FORMAT " printed, but: %s", data->job_id,
                   store_error->message);
      g_clear_pointer (&lane->error, g_free);
      /* Only a job that asked the printer knows whether the paper is low. */
      if (!data->is_drawer)
        {
          g_free (lane->warning);
          lane->warning = g_strdup (data->warning);
        }
      lane->backoff_s = RETRY_FIRST_S;
      g_signal_emit (self, signals[SIGNAL_JOB_DONE], 0, data->job_id);
      if (self->reconfigure_pending)
        apply_pending_uris (self);
      else
        pump (self, lane);
      return;
    }

  /* The job stays queued with the reason; the screen shows it until it prints. */
  g_free (lane->error);
  /* The transport names the device URI first: right for the log, noise for the
   * cashier. A drawer on the printer fails with the printer: the cashier's news
   * is the receipt. Only a drawer of its own speaks for itself. */
  reason = error->message;
  if (g_str_has_prefix (reason, data->uri) && g_str_has_prefix (reason + strlen (data->uri), ": "))
    reason += strlen (data->uri) + 2;
  lane->error = data->is_drawer && lane != self->paper_lane
                    ? g_strdup_printf (_ ("Cash drawer did not open: %s"), reason)
                    : g_strdup_printf (_ ("Receipt not printed: %s"), reason);
  g_warning ("%s (%s, job %" G_GINT64_FORMAT ")", lane->error, data->uri, data->job_id);
  if (!till_print_queue_mark_failed (self->store, data->job_id, error->message, &store_error))
    g_warning ("Cannot record why print job %" G_GINT64_FORMAT " failed: %s", data->job_id,
               store_error->message);
  /* The job failed on the old device: the new one gets it at once. */
  if (self->reconfigure_pending)
    {
      apply_pending_uris (self);
      return;
    }
  schedule_retry (self, lane);
  update_status (self);
}

/* The database refused a queue step: say so and try again later. */
static void
lane_store_failed (TillPrinterMonitor *self, Lane *lane, const GError *error)
{
  g_free (lane->error);
  lane->error = g_strdup_printf (_ ("Receipt not printed: %s"), error->message);
  g_warning ("%s", lane->error);
  schedule_retry (self, lane);
}

/* Hands the lane's next job to the worker, unless it is busy or pausing. */
static void
pump (TillPrinterMonitor *self, Lane *lane)
{
  while (!lane->busy && lane->retry_source == 0)
    {
      g_autoptr (TillPrintJob) job = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GTask) task = NULL;
      SendData *data;

      if (!till_print_queue_next (self->store, lane->filter, &job, &error))
        {
          lane_store_failed (self, lane, error);
          break;
        }
      if (job == NULL)
        break;
      if (job->kind == TILL_PRINT_JOB_DRAWER &&
          g_get_real_time () - job->created_us > DRAWER_KICK_MAX_AGE_US)
        {
          g_message ("Drawer pulse %" G_GINT64_FORMAT " not sent: it is too old", job->id);
          if (!till_print_queue_give_up (self->store, job->id,
                                         _ ("Too late to open the drawer: it was not opened"),
                                         &error))
            {
              lane_store_failed (self, lane, error);
              break;
            }
          continue;
        }
      if (!till_print_queue_mark_printing (self->store, job->id, &error))
        {
          lane_store_failed (self, lane, error);
          break;
        }

      data = g_new0 (SendData, 1);
      data->lane = lane;
      data->job_id = job->id;
      data->uri = g_strdup (lane->uri);
      data->payload = g_bytes_ref (job->payload);
      data->is_drawer = job->kind == TILL_PRINT_JOB_DRAWER;
      lane->busy = TRUE;
      task = g_task_new (self, NULL, send_done_cb, NULL);
      g_task_set_source_tag (task, pump);
      g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
      g_task_run_in_thread (task, send_thread_cb);
    }
  update_status (self);
}

static void
pump_all (TillPrinterMonitor *self)
{
  for (guint i = 0; i < self->n_lanes; i++)
    pump (self, &self->lanes[i]);
}

static Lane *
add_lane (TillPrinterMonitor *self, const char *uri, TillPrintQueueFilter filter)
{
  Lane *lane = &self->lanes[self->n_lanes++];

  g_assert (self->n_lanes <= G_N_ELEMENTS (self->lanes));
  lane->uri = g_strdup (uri);
  lane->filter = filter;
  lane->backoff_s = RETRY_FIRST_S;
  return lane;
}

/* The profile and the lanes for these devices (none yet). */
static void
configure (TillPrinterMonitor *self, const char *printer_uri, const char *drawer_uri)
{
  g_autoptr (GError) error = NULL;

  g_assert (self->n_lanes == 0);
  self->printer_uri = g_strdup (printer_uri);
  if (printer_uri != NULL)
    self->profile = till_printer_profile_new_from_uri (printer_uri, &error);
  if (self->profile == NULL && printer_uri != NULL)
    {
      /* Receipts are still made (for the paper width the URI names) and kept:
       * the screen says which option to fix. */
      self->profile_error = g_strdup_printf (_ ("Printer setting wrong: %s"), error->message);
      g_warning ("%s", self->profile_error);
      g_clear_error (&error);
    }
  if (self->profile == NULL)
    self->profile = till_printer_profile_new (printer_uri != NULL ? paper_from_uri (printer_uri)
                                                                  : TILL_PAPER_80MM);

  if (drawer_uri != NULL && (g_str_equal (drawer_uri, "printer") ||
                             g_strcmp0 (drawer_uri, printer_uri) == 0 || *drawer_uri == '\0'))
    drawer_uri = NULL;
  if (printer_uri != NULL)
    self->paper_lane = add_lane (
        self, printer_uri, drawer_uri != NULL ? TILL_PRINT_QUEUE_PAPER_ONLY : TILL_PRINT_QUEUE_ANY);
  if (drawer_uri != NULL)
    self->drawer_lane = add_lane (self, drawer_uri, TILL_PRINT_QUEUE_DRAWER_ONLY);
  else
    self->drawer_lane = self->paper_lane;
}

static void
clear_lanes (TillPrinterMonitor *self)
{
  for (guint i = 0; i < self->n_lanes; i++)
    {
      Lane *lane = &self->lanes[i];

      g_assert (!lane->busy);
      g_clear_handle_id (&lane->retry_source, g_source_remove);
      g_free (lane->uri);
      g_free (lane->error);
      g_free (lane->warning);
      memset (lane, 0, sizeof *lane);
    }
  self->n_lanes = 0;
  self->paper_lane = NULL;
  self->drawer_lane = NULL;
  g_clear_pointer (&self->profile, till_printer_profile_free);
  g_clear_pointer (&self->profile_error, g_free);
  g_clear_pointer (&self->printer_uri, g_free);
}

static gboolean
any_lane_busy (TillPrinterMonitor *self)
{
  for (guint i = 0; i < self->n_lanes; i++)
    if (self->lanes[i].busy)
      return TRUE;
  return FALSE;
}

/* The waiting jobs stay in the queue (the database): only where they go changes. */
static void
apply_pending_uris (TillPrinterMonitor *self)
{
  g_autofree char *printer_uri = NULL;
  g_autofree char *drawer_uri = NULL;

  if (any_lane_busy (self))
    return;
  printer_uri = g_steal_pointer (&self->next_printer_uri);
  drawer_uri = g_steal_pointer (&self->next_drawer_uri);
  self->reconfigure_pending = FALSE;
  clear_lanes (self);
  configure (self, printer_uri, drawer_uri);
  g_message ("Printing to %s now", printer_uri != NULL ? printer_uri : "(no printer)");
  pump_all (self);
  update_status (self);
}

static void
till_printer_monitor_dispose (GObject *object)
{
  TillPrinterMonitor *self = TILL_PRINTER_MONITOR (object);

  for (guint i = 0; i < self->n_lanes; i++)
    g_clear_handle_id (&self->lanes[i].retry_source, g_source_remove);
  G_OBJECT_CLASS (till_printer_monitor_parent_class)->dispose (object);
}

static void
till_printer_monitor_finalize (GObject *object)
{
  TillPrinterMonitor *self = TILL_PRINTER_MONITOR (object);

  for (guint i = 0; i < self->n_lanes; i++)
    {
      g_free (self->lanes[i].uri);
      g_free (self->lanes[i].error);
      g_free (self->lanes[i].warning);
    }
  g_clear_pointer (&self->profile, till_printer_profile_free);
  g_free (self->profile_error);
  g_free (self->next_printer_uri);
  g_free (self->next_drawer_uri);
  g_clear_object (&self->store);
  g_free (self->printer_uri);
  g_free (self->message);
  G_OBJECT_CLASS (till_printer_monitor_parent_class)->finalize (object);
}

static void
till_printer_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillPrinterMonitor *self = TILL_PRINTER_MONITOR (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_uint (value, self->state);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_printer_monitor_class_init (TillPrinterMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_printer_monitor_dispose;
  object_class->finalize = till_printer_monitor_finalize;
  object_class->get_property = till_printer_monitor_get_property;

  properties[PROP_STATE] = g_param_spec_uint (
      "state", NULL, NULL, TILL_PRINTER_STATE_NONE, TILL_PRINTER_STATE_TROUBLE,
      TILL_PRINTER_STATE_NONE, G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] =
      g_param_spec_string ("message", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_PENDING] =
      g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_JOB_DONE] = g_signal_new ("job-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
till_printer_monitor_init (TillPrinterMonitor *self)
{
}

/**
 * till_printer_monitor_new:
 * Puts back in line the jobs a stopped till left half-sent and starts sending
 * whatever is queued.
 */
TillPrinterMonitor *
till_printer_monitor_new (TillStore *store, const char *printer_uri, const char *drawer_uri)
{
  TillPrinterMonitor *self;
  g_autoptr (GError) error = NULL;
  gint64 recovered;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  self = g_object_new (TILL_TYPE_PRINTER_MONITOR, NULL);
  self->store = g_object_ref (store);
  configure (self, printer_uri, drawer_uri);

  recovered = till_print_queue_recover (store, &error);
  if (recovered < 0)
    g_warning ("Cannot recover the print queue: %s", error->message);
  else if (recovered > 0)
    g_message ("%" G_GINT64_FORMAT " print job(s) were interrupted; sending them again", recovered);
  pump_all (self);
  return self;
}

TillPrinterState
till_printer_monitor_get_state (TillPrinterMonitor *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), TILL_PRINTER_STATE_NONE);
  return self->state;
}

const char *
till_printer_monitor_get_message (TillPrinterMonitor *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), NULL);
  return self->message;
}

guint
till_printer_monitor_get_n_pending (TillPrinterMonitor *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), 0);
  return self->n_pending;
}

const char *
till_printer_monitor_get_printer_uri (TillPrinterMonitor *self)
{
  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), NULL);
  return self->printer_uri;
}

/**
 * till_printer_monitor_queue_sale:
 * The receipt bytes are made here, on the main thread, because the encoder
 * reads the store.
 */
gboolean
till_printer_monitor_queue_sale (TillPrinterMonitor *self,
                                 TillSale           *sale,
                                 gboolean            open_drawer,
                                 const char         *user_code,
                                 gint64             *out_job,
                                 GError            **error)
{
  const TillPrinterProfile *profile;
  g_autoptr (GBytes) receipt = NULL;
  g_autoptr (GBytes) kick = NULL;

  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), FALSE);
  g_return_val_if_fail (TILL_IS_SALE (sale), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_job != NULL)
    *out_job = 0;
  if (self->paper_lane == NULL && (self->drawer_lane == NULL || !open_drawer))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("No receipt printer is configured."));
      return FALSE;
    }

  profile = self->profile;
  if (self->paper_lane != NULL)
    receipt = till_receipt_encode (sale, self->store, profile);
  if (open_drawer && self->drawer_lane != NULL)
    kick = till_receipt_encode_drawer_kick (profile);
  if (!till_print_queue_enqueue_sale (self->store, till_sale_get_uuid (sale), receipt, kick,
                                      user_code, out_job, NULL, error))
    return FALSE;
  pump_all (self);
  return TRUE;
}

/**
 * till_printer_monitor_queue_copy:
 * The sale as stored, encoded again and marked as a copy: the same lines,
 * totals, time and QR code as the original.
 */
gboolean
till_printer_monitor_queue_copy (TillPrinterMonitor *self,
                                 TillSale           *sale,
                                 gint64             *out_job,
                                 GError            **error)
{
  g_autoptr (GBytes) copy = NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  gint64 id;

  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), FALSE);
  g_return_val_if_fail (TILL_IS_SALE (sale), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->paper_lane == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("No receipt printer is configured."));
      return FALSE;
    }
  copy = till_receipt_encode_copy (sale, self->store, self->profile, now);
  id = till_print_queue_enqueue (self->store, TILL_PRINT_JOB_COPY, till_sale_get_uuid (sale), copy,
                                 error);
  if (id == 0)
    return FALSE;
  if (out_job != NULL)
    *out_job = id;
  pump_all (self);
  return TRUE;
}

/**
 * till_printer_monitor_queue_refund:
 * The slip is made here, on the main thread, because the encoder reads the
 * store; the drawer opens only when cash is paid out.
 */
gboolean
till_printer_monitor_queue_refund (TillPrinterMonitor *self,
                                   TillReturn         *ret,
                                   gboolean            open_drawer,
                                   const char         *user_code,
                                   gint64             *out_job,
                                   GError            **error)
{
  g_autoptr (GBytes) slip = NULL;
  g_autoptr (GBytes) kick = NULL;

  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), FALSE);
  g_return_val_if_fail (TILL_IS_RETURN (ret), FALSE);
  g_return_val_if_fail (till_return_is_committed (ret), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_job != NULL)
    *out_job = 0;
  if (self->paper_lane == NULL && (self->drawer_lane == NULL || !open_drawer))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("No receipt printer is configured."));
      return FALSE;
    }

  if (self->paper_lane != NULL)
    slip = till_receipt_encode_refund (ret, self->store, self->profile);
  if (open_drawer && self->drawer_lane != NULL)
    kick = till_receipt_encode_drawer_kick (self->profile);
  if (!till_print_queue_enqueue_refund (self->store, till_return_get_uuid (ret), slip, kick,
                                        user_code, out_job, NULL, error))
    return FALSE;
  pump_all (self);
  return TRUE;
}

/**
 * till_printer_monitor_queue_drawer_pulse:
 * Only the pulse: the opening's drawer_event and journal entry were written
 * by till_drawer_open_no_sale(), which checked who may open the drawer.
 */
gboolean
till_printer_monitor_queue_drawer_pulse (TillPrinterMonitor *self, gint64 *out_job, GError **error)
{
  g_autoptr (GBytes) kick = NULL;
  gint64 id;

  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (out_job != NULL)
    *out_job = 0;
  if (self->drawer_lane == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("No cash drawer is configured."));
      return FALSE;
    }
  kick = till_receipt_encode_drawer_kick (self->profile);
  id = till_print_queue_enqueue (self->store, TILL_PRINT_JOB_DRAWER, NULL, kick, error);
  if (id == 0)
    return FALSE;
  if (out_job != NULL)
    *out_job = id;
  pump_all (self);
  return TRUE;
}

/* The paper of a top-up slip, a shift report or shelf labels, made here on the
 * main thread for this printer's paper width (the encoders read the store). */
typedef GBytes *(*EncodePaper) (TillPrinterMonitor *self, gconstpointer what, GError **error);

/* Queues the drawer pulse (when @open_drawer and a drawer is set up), then
 * the paper @encode makes of @what (when a printer is), as a @kind job, and
 * wakes the lanes. *@out_job is the paper's job, 0 when none was queued. */
static gboolean
queue_paper_job (TillPrinterMonitor *self,
                 TillPrintJobKind    kind,
                 EncodePaper         encode,
                 gconstpointer       what,
                 gboolean            open_drawer,
                 gint64             *out_job,
                 GError            **error)
{
  gint64 id = 0;

  if (out_job != NULL)
    *out_job = 0;
  if (self->paper_lane == NULL && (self->drawer_lane == NULL || !open_drawer))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("No receipt printer is configured."));
      return FALSE;
    }
  if (open_drawer && self->drawer_lane != NULL)
    {
      g_autoptr (GBytes) kick = till_receipt_encode_drawer_kick (self->profile);

      if (till_print_queue_enqueue (self->store, TILL_PRINT_JOB_DRAWER, NULL, kick, error) == 0)
        return FALSE;
    }
  if (self->paper_lane != NULL)
    {
      g_autoptr (GBytes) paper = encode (self, what, error);

      if (paper == NULL)
        return FALSE;
      id = till_print_queue_enqueue (self->store, kind, NULL, paper, error);
      if (id == 0)
        return FALSE;
    }
  if (out_job != NULL)
    *out_job = id;
  pump_all (self);
  return TRUE;
}

static GBytes *
encode_top_up (TillPrinterMonitor *self, gconstpointer top_up_uuid, GError **error)
{
  return till_receipt_encode_top_up (self->store, top_up_uuid, self->profile, error);
}

/**
 * till_printer_monitor_queue_top_up:
 * The top-up itself is never touched.
 */
gboolean
till_printer_monitor_queue_top_up (TillPrinterMonitor *self,
                                   const char         *top_up_uuid,
                                   gboolean            open_drawer,
                                   gint64             *out_job,
                                   GError            **error)
{
  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), FALSE);
  g_return_val_if_fail (top_up_uuid != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return queue_paper_job (self, TILL_PRINT_JOB_TOP_UP, encode_top_up, top_up_uuid, open_drawer,
                          out_job, error);
}

static GBytes *
encode_report (TillPrinterMonitor *self, gconstpointer report, GError **error)
{
  return till_shift_report_encode (report, self->store, self->profile);
}

/**
 * till_printer_monitor_queue_report:
 * The shift itself is never touched: a reprint is the same report.
 */
gboolean
till_printer_monitor_queue_report (TillPrinterMonitor    *self,
                                   const TillShiftReport *report,
                                   gboolean               open_drawer,
                                   gint64                *out_job,
                                   GError               **error)
{
  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), FALSE);
  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return queue_paper_job (self, TILL_PRINT_JOB_REPORT, encode_report, report, open_drawer, out_job,
                          error);
}

typedef struct
{
  const TillShelfLabel *labels;
  guint                 n_labels;
} LabelBatch;

static GBytes *
encode_labels (TillPrinterMonitor *self, gconstpointer data, GError **error)
{
  const LabelBatch *batch = data;

  return till_shelf_label_encode (batch->labels, batch->n_labels, self->profile);
}

/**
 * till_printer_monitor_queue_labels:
 * The labels go out as one "label" job.
 */
gboolean
till_printer_monitor_queue_labels (TillPrinterMonitor   *self,
                                   const TillShelfLabel *labels,
                                   guint                 n_labels,
                                   gint64               *out_job,
                                   GError              **error)
{
  LabelBatch batch = { labels, n_labels };

  g_return_val_if_fail (TILL_IS_PRINTER_MONITOR (self), FALSE);
  g_return_val_if_fail (labels != NULL || n_labels == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (n_labels == 0)
    {
      if (out_job != NULL)
        *out_job = 0;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("No labels to print."));
      return FALSE;
    }
  return queue_paper_job (self, TILL_PRINT_JOB_LABEL, encode_labels, &batch, FALSE, out_job, error);
}

void
till_printer_monitor_retry (TillPrinterMonitor *self)
{
  g_return_if_fail (TILL_IS_PRINTER_MONITOR (self));

  for (guint i = 0; i < self->n_lanes; i++)
    {
      g_clear_handle_id (&self->lanes[i].retry_source, g_source_remove);
      self->lanes[i].backoff_s = RETRY_FIRST_S;
    }
  pump_all (self);
}

/**
 * till_printer_monitor_set_uris:
 * Sends the print queue to other devices from now on, without a restart: the
 * jobs waiting (and one failed on the old printer) go to the new ones; a job
 * with the old printer at this moment finishes there first. The receipts
 * already queued keep the bytes made for the old printer's profile.
 */
void
till_printer_monitor_set_uris (TillPrinterMonitor *self,
                               const char         *printer_uri,
                               const char         *drawer_uri)
{
  g_return_if_fail (TILL_IS_PRINTER_MONITOR (self));

  g_free (self->next_printer_uri);
  self->next_printer_uri = g_strdup (printer_uri);
  g_free (self->next_drawer_uri);
  self->next_drawer_uri = g_strdup (drawer_uri);
  self->reconfigure_pending = TRUE;
  apply_pending_uris (self);
}
