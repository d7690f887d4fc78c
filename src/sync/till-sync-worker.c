/* till-sync-worker.c: the till's background sync
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sync"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "till-sync-worker.h"
#include "till-sync.h"

/* Timings of SYNC.md §5 6.4 and 6.7. */
#define DEFAULT_PUSH_MS (10 * 1000)
#define DEFAULT_PULL_MS (60 * 1000)
#define DEFAULT_BACKOFF_MIN_MS 1000
#define DEFAULT_BACKOFF_MAX_MS (5 * 60 * 1000)
#define DEFAULT_OFFLINE_AFTER_MS (5 * 60 * 1000)
/* A document HQ keeps rejecting becomes the last error after this long. */
#define POISON_ALERT_US ((gint64) G_USEC_PER_SEC * 300)
/* Each request's bound: the thread is joined at stop(), so it also bounds
 * how long quitting can wait for a request in flight. */
#define REQUEST_TIMEOUT_S 15
#define PULL_PAGE_ROWS 1000
/* A scheduled price change is looked at again at least this often (the
 * clock may be set while the till runs). */
#define MAX_PRICE_WAIT_US ((gint64) G_USEC_PER_SEC * 3600)

typedef enum
{
  JOB_QUIT,
  JOB_PUSH,
  JOB_PULL,
} JobKind;

/* One request for the worker thread, and its result on the way back. All
 * that the thread reads is copied into the job: it never touches the store. */
typedef struct
{
  JobKind kind;
  guint   identity_generation;
  char   *url;
  char   *ca_path;
  char   *cert_path;
  char   *key_path;

  /* JOB_PUSH */
  GBytes *body;
  char   *signature;
  char   *key;
  /* JOB_PULL */
  char  *channel;
  gint64 since;

  /* The result. */
  TillWireAck  *ack;
  TillWirePage *page;
  GError       *error;
} Job;

struct _TillSyncWorker
{
  GObject parent_instance;

  TillStore    *store;
  TillJournal  *journal;
  GMainContext *context;     /* the main context: every database step runs there */
  GCancellable *cancellable; /* ends the thread's wait on HQ when the worker stops */
  gint64        last_purge_us;

  TillSyncIdentity *identity; /* NULL before enrollment */
  guint             identity_generation;

  /* Timing, in milliseconds. */
  guint push_ms;
  guint pull_ms;
  guint backoff_min_ms;
  guint backoff_max_ms;
  guint offline_after_ms;

  /* The thread and what crosses to it and back. */
  GThread     *thread;
  GAsyncQueue *jobs;
  GMutex       done_lock;
  GQueue       done;            /* Job, finished, under done_lock */
  GSource     *dispatch_source; /* under done_lock */

  gboolean       started;
  gboolean       busy; /* one job in flight */
  gboolean       want_push;
  gboolean       want_pull;
  guint          pull_channel; /* index in till_wire_channels of the pull under way */
  gboolean       pull_changed; /* the round changed master data */
  TillSyncBatch *batch;        /* the batch in flight */

  /* Failure and backoff. */
  gint64 failing_since_us; /* 0 while the last exchange succeeded */
  guint  backoff_ms;       /* 0 while nothing fails */

  guint  push_timer;
  guint  pull_timer;
  guint  retry_timer;
  guint  offline_timer;
  guint  price_timer;
  gulong network_handler;

  /* What the properties show. */
  TillSyncStatus status;
  gint64         queued;
  guint          in_flight;
  gint64         offline_since_us;
  gint64         last_push_us;
  gint64         last_pull_us;
  char          *last_error;
  char          *round_error; /* a local error met in this round (a page not applied) */
  TillSyncLimits limits;
};

G_DEFINE_FINAL_TYPE (TillSyncWorker, till_sync_worker, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATUS,
  PROP_QUEUED,
  PROP_IN_FLIGHT,
  PROP_OFFLINE_SINCE_US,
  PROP_LAST_PUSH_US,
  PROP_LAST_PULL_US,
  PROP_LAST_ERROR,
  PROP_LIMITS_EXCEEDED,
  PROP_LIMITS_BLOCKING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_PULLED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void step (TillSyncWorker *self);

/* ---- Jobs ------------------------------------------------------------------ */

static void
job_free (Job *job)
{
  g_free (job->url);
  g_free (job->ca_path);
  g_free (job->cert_path);
  g_free (job->key_path);
  g_clear_pointer (&job->body, g_bytes_unref);
  g_free (job->signature);
  g_free (job->key);
  g_free (job->channel);
  g_clear_pointer (&job->ack, till_wire_ack_free);
  g_clear_pointer (&job->page, till_wire_page_free);
  g_clear_error (&job->error);
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Job, job_free)

static Job *
job_new (TillSyncWorker *self, JobKind kind)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->identity_generation = self->identity_generation;
  if (self->identity != NULL)
    {
      job->url = g_strdup (self->identity->url);
      job->ca_path = g_strdup (self->identity->ca_path);
      job->cert_path = g_strdup (self->identity->cert_path);
      job->key_path = g_strdup (self->identity->key_path);
    }
  return job;
}

static gboolean dispatch_done_cb (gpointer user_data);

/* On the worker thread: hands a finished job to the main context. */
static void
return_job (TillSyncWorker *self, Job *job)
{
  g_mutex_lock (&self->done_lock);
  g_queue_push_tail (&self->done, job);
  if (self->dispatch_source == NULL)
    {
      self->dispatch_source = g_idle_source_new ();
      g_source_set_priority (self->dispatch_source, G_PRIORITY_DEFAULT);
      /* No reference: stop() destroys this source before the worker can go. */
      g_source_set_callback (self->dispatch_source, dispatch_done_cb, self, NULL);
      g_source_set_static_name (self->dispatch_source, "[till-sync] result");
      g_source_attach (self->dispatch_source, self->context);
    }
  g_mutex_unlock (&self->done_lock);
}

static gpointer
worker_thread (gpointer user_data)
{
  TillSyncWorker *self = user_data;
  g_autoptr (TillSyncClient) client = NULL;
  guint client_generation = 0;

  /* No thread-default context is pushed here: the client's calls are
   * blocking, and with one pushed, GnuTLS's check of HQ's certificate during
   * the handshake waited on a context nobody iterated (the handshake hung). */
  for (;;)
    {
      Job *job = g_async_queue_pop (self->jobs);

      if (job->kind == JOB_QUIT)
        {
          job_free (job);
          break;
        }
      if (client == NULL || client_generation != job->identity_generation)
        {
          g_clear_object (&client);
          client = till_sync_client_new (job->url, job->ca_path, job->cert_path, job->key_path,
                                         REQUEST_TIMEOUT_S, &job->error);
          if (client != NULL)
            till_sync_client_set_cancellable (client, self->cancellable);
          client_generation = job->identity_generation;
        }
      if (client != NULL)
        {
          if (job->kind == JOB_PUSH)
            job->ack =
                till_sync_client_push (client, job->body, job->signature, job->key, &job->error);
          else
            job->page = till_sync_client_pull (client, job->channel, job->since, PULL_PAGE_ROWS,
                                               &job->error);
        }
      return_job (self, job);
    }
  g_clear_object (&client);
  return NULL;
}

/* ---- Properties ---------------------------------------------------------- */

static void
set_status (TillSyncWorker *self, TillSyncStatus status)
{
  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

static void
set_int64 (TillSyncWorker *self, gint64 *field, gint64 value, guint prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_in_flight (TillSyncWorker *self, guint in_flight)
{
  if (self->in_flight == in_flight)
    return;
  self->in_flight = in_flight;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_IN_FLIGHT]);
}

static void
set_last_error (TillSyncWorker *self, const char *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;
  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

/* ---- The state machine (main context) --------------------------------------- */

static gboolean
is_offline (TillSyncWorker *self, gint64 now_us)
{
  return self->failing_since_us != 0 &&
         now_us - self->failing_since_us >= (gint64) self->offline_after_ms * 1000;
}

/* Reads the queue and the limits again and sets the status from them and
 * from how long HQ has been failing. */
static void
refresh (TillSyncWorker *self)
{
  gint64 now_us = g_get_real_time ();
  g_autoptr (GError) error = NULL;
  TillOutboxStats  stats = { 0 };
  TillSyncLimits   limits = { 0 };
  TillSyncLimit    old_exceeded = self->limits.exceeded;
  TillSyncLimit    old_blocking = self->limits.blocking;
  const char      *error_message = NULL;
  g_autofree char *poison = NULL;

  if (till_outbox_get_stats (self->store, &stats, &error))
    set_int64 (self, &self->queued, stats.pending, PROP_QUEUED);
  else
    g_warning ("The sync queue cannot be read: %s", error->message);
  g_clear_error (&error);

  if (self->identity != NULL)
    {
      if (till_sync_check_limits (self->store, now_us, &limits, &error))
        self->limits = limits;
      else
        g_warning ("The offline limits cannot be checked: %s", error->message);
    }
  if (self->limits.exceeded != old_exceeded)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMITS_EXCEEDED]);
  if (self->limits.blocking != old_blocking)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIMITS_BLOCKING]);

  /* What the cashier's supervisor should hear of: HQ unreachable or refusing
   * us, then a document HQ has kept rejecting for 5 minutes, then a page
   * the till could not apply. */
  if (self->failing_since_us == 0)
    {
      if (stats.failing_seq != 0 && stats.failing_since_us != 0 &&
          now_us - stats.failing_since_us >= POISON_ALERT_US)
        {
          poison =
              g_strdup_printf (_ ("HQ keeps refusing document %" PRId64 ": %s"), stats.failing_seq,
                               stats.failing_reason != NULL ? stats.failing_reason : "");
          error_message = poison;
        }
      else
        error_message = self->round_error;
      set_last_error (self, error_message);
    }
  till_outbox_stats_clear (&stats);

  set_int64 (self, &self->offline_since_us, is_offline (self, now_us) ? self->failing_since_us : 0,
             PROP_OFFLINE_SINCE_US);

  if (self->identity == NULL)
    set_status (self, TILL_SYNC_STATUS_NOT_ENROLLED);
  else if (self->limits.exceeded != TILL_SYNC_LIMIT_NONE && self->failing_since_us != 0)
    set_status (self, TILL_SYNC_STATUS_OFFLINE_LIMIT);
  else if (is_offline (self, now_us))
    set_status (self, TILL_SYNC_STATUS_OFFLINE);
  else if (self->failing_since_us != 0)
    set_status (self, TILL_SYNC_STATUS_DEGRADED);
  else if (self->busy)
    set_status (self, TILL_SYNC_STATUS_SYNCING);
  else
    set_status (self, TILL_SYNC_STATUS_ONLINE);
}

static gboolean
retry_cb (gpointer user_data)
{
  TillSyncWorker *self = user_data;

  self->retry_timer = 0;
  step (self);
  return G_SOURCE_REMOVE;
}

static gboolean
offline_cb (gpointer user_data)
{
  TillSyncWorker *self = user_data;

  self->offline_timer = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

static guint
add_timeout (TillSyncWorker *self, guint ms, GSourceFunc func, const char *name)
{
  g_autoptr (GSource) source = g_timeout_source_new (ms);
  guint id;

  g_source_set_callback (source, func, self, NULL);
  g_source_set_static_name (source, name);
  id = g_source_attach (source, self->context);
  return id;
}

static void
remove_source (TillSyncWorker *self, guint *id)
{
  GSource *source;

  if (*id == 0)
    return;
  source = g_main_context_find_source_by_id (self->context, *id);
  if (source != NULL)
    g_source_destroy (source);
  *id = 0;
}

/* HQ could not be reached or refused: wait, longer each time, then try the
 * whole round again. */
static void
fail (TillSyncWorker *self, const GError *error)
{
  gint64   now_us = g_get_real_time ();
  gboolean refused = g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_REFUSED) ||
                     g_error_matches (error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_TLS) ||
                     error->domain == G_TLS_ERROR;
  guint delay_ms;

  g_debug ("Sync failed: %s", error->message);
  if (self->failing_since_us == 0)
    {
      self->failing_since_us = now_us;
      /* DEGRADED turns OFFLINE after a while even when the backoff is longer. */
      remove_source (self, &self->offline_timer);
      self->offline_timer =
          add_timeout (self, self->offline_after_ms, offline_cb, "[till-sync] offline");
    }
  /* Being refused is not mended by asking again soon: a certificate or a
   * token needs a person. */
  if (refused)
    self->backoff_ms = self->backoff_max_ms;
  else if (self->backoff_ms == 0)
    self->backoff_ms = self->backoff_min_ms;
  else
    self->backoff_ms = MIN ((guint64) self->backoff_ms * 2, (guint64) self->backoff_max_ms);
  /* ±20 %, so that the tills of a chain do not all come back at once. */
  delay_ms = (guint) ((guint64) self->backoff_ms * (guint64) g_random_int_range (80, 121) / 100);

  set_last_error (self, error->message);
  set_in_flight (self, 0);
  g_clear_pointer (&self->batch, till_sync_batch_free);
  self->want_push = TRUE;
  remove_source (self, &self->retry_timer);
  self->retry_timer = add_timeout (self, MAX (delay_ms, 1), retry_cb, "[till-sync] retry");
  refresh (self);
}

static void
succeed (TillSyncWorker *self)
{
  self->failing_since_us = 0;
  self->backoff_ms = 0;
  remove_source (self, &self->offline_timer);
  remove_source (self, &self->retry_timer);
}

static void
submit (TillSyncWorker *self, Job *job)
{
  g_debug ("Sync: %s %s", job->kind == JOB_PUSH ? "push" : "pull",
           job->kind == JOB_PUSH ? job->key : job->channel);
  self->busy = TRUE;
  g_async_queue_push (self->jobs, job);
  refresh (self);
}

static gboolean price_cb (gpointer user_data);

/* Sets the prices in force now and wakes up at the next scheduled change. */
static void
apply_prices (TillSyncWorker *self, gboolean emit)
{
  g_autoptr (GError) error = NULL;
  gint64 now_us = g_get_real_time ();
  gint64 next_us = G_MAXINT64;
  gint64 changed;
  gint64 wait_us;

  remove_source (self, &self->price_timer);
  changed = till_master_data_apply_prices (self->store, now_us, &next_us, &error);
  if (changed < 0)
    {
      g_warning ("The scheduled prices cannot be applied: %s", error->message);
      next_us = G_MAXINT64;
    }
  if (changed > 0 && emit)
    g_signal_emit (self, signals[SIGNAL_PULLED], 0, "prices");
  wait_us = next_us == G_MAXINT64 ? MAX_PRICE_WAIT_US : next_us - now_us;
  wait_us = CLAMP (wait_us, 1000, MAX_PRICE_WAIT_US);
  self->price_timer =
      add_timeout (self, (guint) ((wait_us + 999) / 1000), price_cb, "[till-sync] prices");
}

static gboolean
price_cb (gpointer user_data)
{
  TillSyncWorker *self = user_data;

  self->price_timer = 0;
  apply_prices (self, TRUE);
  return G_SOURCE_REMOVE;
}

/* Acknowledged documents stay 30 days (SYNC.md §5 6.8: a restored HQ can be
 * refilled from its tills), then go; checked at most once an hour. */
#define OUTBOX_RETENTION_US (30 * G_TIME_SPAN_DAY)
#define PURGE_EVERY_US G_TIME_SPAN_HOUR

static void
purge_acked (TillSyncWorker *self, gint64 now_us)
{
  g_autoptr (GError) error = NULL;

  if (self->last_purge_us != 0 && now_us - self->last_purge_us < PURGE_EVERY_US)
    return;
  self->last_purge_us = now_us;
  if (till_outbox_purge_acked (self->store, now_us - OUTBOX_RETENTION_US, &error) < 0)
    g_warning ("Acknowledged documents cannot be purged: %s", error->message);
}

static void
push_done (TillSyncWorker *self, Job *job)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillSyncBatch) batch = g_steal_pointer (&self->batch);
  gboolean progress = FALSE;

  set_in_flight (self, 0);
  if (job->error != NULL)
    {
      fail (self, job->error);
      return;
    }
  if (batch == NULL || self->identity == NULL)
    return; /* reloaded meanwhile: the rows go again */
  if (!till_sync_apply_ack (self->store, self->identity, batch, job->ack, g_get_real_time (),
                            &progress, &error))
    {
      fail (self, error);
      return;
    }
  succeed (self);
  set_int64 (self, &self->last_push_us, g_get_real_time (), PROP_LAST_PUSH_US);
  purge_acked (self, g_get_real_time ());
  /* Without progress HQ holds back on an item it rejected: sending the same
   * batch again at once would only loop. The timer tries again. */
  self->want_push = progress;
}

static void
pull_done (TillSyncWorker *self, Job *job)
{
  g_autoptr (GError) error = NULL;
  const char *channel = till_wire_channels[self->pull_channel];
  gboolean    drift = FALSE;
  gboolean    has_rows;

  if (g_error_matches (job->error, TILL_SYNC_ERROR, TILL_SYNC_ERROR_GONE))
    {
      /* HQ no longer holds what we missed: start the channel over. */
      if (!till_master_data_begin_reload (self->store, channel, &error))
        {
          g_warning ("%s cannot be reloaded: %s", channel, error->message);
          g_free (self->round_error);
          self->round_error = g_strdup (error->message);
          self->pull_channel++;
        }
      succeed (self);
      return;
    }
  if (job->error != NULL)
    {
      fail (self, job->error);
      return;
    }
  succeed (self);

  has_rows = job->page->rows->len > 0 || job->page->tombstones->len > 0;
  if (!till_sync_apply_page (self->store, job->page, g_get_real_time (), &drift, &error))
    {
      /* A page the till cannot apply stays unapplied (its cursor too) and
       * does not hold up the other channels. */
      g_warning ("A page of %s cannot be applied: %s", channel, error->message);
      g_free (self->round_error);
      self->round_error = g_strdup (error->message);
      self->pull_channel++;
      return;
    }
  if (has_rows)
    {
      self->pull_changed = TRUE;
      if (g_str_equal (channel, "items") || g_str_equal (channel, "prices"))
        apply_prices (self, FALSE);
      g_signal_emit (self, signals[SIGNAL_PULLED], 0, channel);
    }
  if (drift)
    {
      if (!till_master_data_begin_reload (self->store, channel, &error))
        g_warning ("%s cannot be reloaded: %s", channel, error->message);
      return;
    }
  if (!job->page->has_more)
    self->pull_channel++;
}

static gboolean
dispatch_done_cb (gpointer user_data)
{
  TillSyncWorker *self = user_data;
  GQueue          done = G_QUEUE_INIT;

  g_mutex_lock (&self->done_lock);
  done = self->done;
  g_queue_init (&self->done);
  g_clear_pointer (&self->dispatch_source, g_source_unref);
  g_mutex_unlock (&self->done_lock);

  for (Job *job; (job = g_queue_pop_head (&done)) != NULL;)
    {
      g_autoptr (Job) finished = job;

      self->busy = FALSE;
      if (!self->started)
        continue;
      if (finished->identity_generation != self->identity_generation)
        {
          /* Enrolled again meanwhile: whatever this was, it is redone. */
          g_clear_pointer (&self->batch, till_sync_batch_free);
          set_in_flight (self, 0);
          continue;
        }
      if (finished->kind == JOB_PUSH)
        push_done (self, finished);
      else
        pull_done (self, finished);
    }
  step (self);
  return G_SOURCE_REMOVE;
}

/* Starts the next exchange of the round, if any: pushes until nothing is
 * pending, then pulls every channel to its end. */
static void
step (TillSyncWorker *self)
{
  g_autoptr (GError) error = NULL;
  gint64 now_us = g_get_real_time ();

  if (!self->started || self->busy)
    return;
  if (self->identity == NULL || self->retry_timer != 0)
    {
      refresh (self);
      return;
    }

  if (self->want_push)
    {
      g_autoptr (TillSyncBatch) batch =
          till_sync_build_batch (self->store, self->journal, self->identity, now_us, &error);

      if (batch == NULL && error != NULL)
        {
          g_warning ("The sync batch cannot be built: %s", error->message);
          fail (self, error);
          return;
        }
      if (batch != NULL)
        {
          Job *job = job_new (self, JOB_PUSH);

          job->body = g_bytes_ref (batch->body);
          job->signature = g_strdup (batch->signature);
          job->key = g_strdup (batch->key);
          set_in_flight (self, batch->n_items);
          self->batch = g_steal_pointer (&batch);
          submit (self, job);
          return;
        }
      self->want_push = FALSE;
    }

  if (self->want_pull)
    {
      const char *channel = till_wire_channels[self->pull_channel];

      if (channel != NULL)
        {
          Job   *job;
          gint64 cursor = till_master_data_get_cursor (self->store, channel, &error);

          if (cursor < 0)
            {
              g_warning ("The cursor of %s cannot be read: %s", channel, error->message);
              self->pull_channel++;
              step (self);
              return;
            }
          job = job_new (self, JOB_PULL);
          job->channel = g_strdup (channel);
          job->since = cursor;
          submit (self, job);
          return;
        }
      self->want_pull = FALSE;
      self->pull_channel = 0;
      set_int64 (self, &self->last_pull_us, now_us, PROP_LAST_PULL_US);
    }
  /* The round is over: acks and pages wrote to the log as sales do, so the
   * worker checkpoints when due, as the session does after a sale (a till
   * that only syncs would otherwise grow its log until a sale's commit must
   * checkpoint). */
  if (!till_store_checkpoint_if_due (self->store, &error))
    g_message ("Checkpoint after sync: %s", error->message);
  refresh (self);
}

static void
start_pull (TillSyncWorker *self)
{
  if (!self->want_pull)
    {
      self->want_pull = TRUE;
      self->pull_channel = 0;
      /* A page that could not be applied shows until a round goes by. */
      g_clear_pointer (&self->round_error, g_free);
    }
}

static gboolean
push_timer_cb (gpointer user_data)
{
  TillSyncWorker *self = user_data;

  self->want_push = TRUE;
  step (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
pull_timer_cb (gpointer user_data)
{
  TillSyncWorker *self = user_data;

  self->want_push = TRUE;
  start_pull (self);
  step (self);
  return G_SOURCE_CONTINUE;
}

/* Now, whatever the backoff said: the network came back, or a person asked. */
static void
sync_now (TillSyncWorker *self, gboolean pull)
{
  remove_source (self, &self->retry_timer);
  self->want_push = TRUE;
  if (pull)
    start_pull (self);
  step (self);
}

static void
network_changed_cb (GNetworkMonitor *monitor, gboolean available, gpointer user_data)
{
  TillSyncWorker *self = user_data;

  if (available && self->failing_since_us != 0)
    sync_now (self, FALSE);
}

static void
restart_timers (TillSyncWorker *self)
{
  remove_source (self, &self->push_timer);
  remove_source (self, &self->pull_timer);
  if (!self->started)
    return;
  self->push_timer = add_timeout (self, self->push_ms, push_timer_cb, "[till-sync] push");
  self->pull_timer = add_timeout (self, self->pull_ms, pull_timer_cb, "[till-sync] pull");
}

static void
load_identity (TillSyncWorker *self)
{
  g_autoptr (GError) error = NULL;

  g_clear_pointer (&self->identity, till_sync_identity_free);
  self->identity = till_sync_identity_load (self->store, &error);
  if (self->identity == NULL &&
      !g_error_matches (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_NOT_ENROLLED))
    g_warning ("The sync identity cannot be read: %s", error->message);
  self->identity_generation++;
}

/* ---- GObject ----------------------------------------------------------------- */

static void
till_sync_worker_dispose (GObject *object)
{
  TillSyncWorker *self = TILL_SYNC_WORKER (object);

  if (self->context != NULL)
    till_sync_worker_stop (self);
  g_clear_object (&self->journal);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (till_sync_worker_parent_class)->dispose (object);
}

static void
till_sync_worker_finalize (GObject *object)
{
  TillSyncWorker *self = TILL_SYNC_WORKER (object);

  g_clear_pointer (&self->identity, till_sync_identity_free);
  g_clear_pointer (&self->batch, till_sync_batch_free);
  g_clear_pointer (&self->jobs, g_async_queue_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->cancellable);
  g_mutex_clear (&self->done_lock);
  g_free (self->last_error);
  g_free (self->round_error);

  G_OBJECT_CLASS (till_sync_worker_parent_class)->finalize (object);
}

static void
till_sync_worker_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillSyncWorker *self = TILL_SYNC_WORKER (object);

  switch (prop_id)
    {
    case PROP_STATUS:
      g_value_set_int (value, self->status);
      break;
    case PROP_QUEUED:
      g_value_set_int64 (value, self->queued);
      break;
    case PROP_IN_FLIGHT:
      g_value_set_uint (value, self->in_flight);
      break;
    case PROP_OFFLINE_SINCE_US:
      g_value_set_int64 (value, self->offline_since_us);
      break;
    case PROP_LAST_PUSH_US:
      g_value_set_int64 (value, self->last_push_us);
      break;
    case PROP_LAST_PULL_US:
      g_value_set_int64 (value, self->last_pull_us);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_LIMITS_EXCEEDED:
      g_value_set_uint (value, self->limits.exceeded);
      break;
    case PROP_LIMITS_BLOCKING:
      g_value_set_uint (value, self->limits.blocking);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_sync_worker_class_init (TillSyncWorkerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags   flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = till_sync_worker_dispose;
  object_class->finalize = till_sync_worker_finalize;
  object_class->get_property = till_sync_worker_get_property;

  /* A TillSyncStatus: the header declares no GType for it. */
  properties[PROP_STATUS] =
      g_param_spec_int ("status", NULL, NULL, TILL_SYNC_STATUS_NOT_ENROLLED,
                        TILL_SYNC_STATUS_OFFLINE_LIMIT, TILL_SYNC_STATUS_NOT_ENROLLED, flags);
  properties[PROP_QUEUED] = g_param_spec_int64 ("queued", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_IN_FLIGHT] = g_param_spec_uint ("in-flight", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_OFFLINE_SINCE_US] =
      g_param_spec_int64 ("offline-since-us", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_LAST_PUSH_US] =
      g_param_spec_int64 ("last-push-us", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_LAST_PULL_US] =
      g_param_spec_int64 ("last-pull-us", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_LAST_ERROR] = g_param_spec_string ("last-error", NULL, NULL, NULL, flags);
  /* TillSyncLimit flags, as of the last look: which limits are exceeded and
   * which of those block new sales. */
  properties[PROP_LIMITS_EXCEEDED] =
      g_param_spec_uint ("limits-exceeded", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_LIMITS_BLOCKING] =
      g_param_spec_uint ("limits-blocking", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_PULLED] = g_signal_new ("pulled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
till_sync_worker_init (TillSyncWorker *self)
{
  self->push_ms = DEFAULT_PUSH_MS;
  self->pull_ms = DEFAULT_PULL_MS;
  self->backoff_min_ms = DEFAULT_BACKOFF_MIN_MS;
  self->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
  self->offline_after_ms = DEFAULT_OFFLINE_AFTER_MS;
  self->status = TILL_SYNC_STATUS_NOT_ENROLLED;
  self->jobs = g_async_queue_new_full ((GDestroyNotify) job_free);
  self->cancellable = g_cancellable_new ();
  g_mutex_init (&self->done_lock);
  g_queue_init (&self->done);
}

/* ---- Public API ------------------------------------------------------------ */

/**
 * till_sync_worker_new:
 * @store: the till's store, used on the calling thread's main context only
 * @journal: its journal (batches are signed with its key)
 *
 * Returns: (transfer full): a worker, stopped; its database steps will run
 *   on the thread-default main context of the caller
 */
TillSyncWorker *
till_sync_worker_new (TillStore *store, TillJournal *journal)
{
  TillSyncWorker *self;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), NULL);

  self = g_object_new (TILL_TYPE_SYNC_WORKER, NULL);
  self->store = g_object_ref (store);
  self->journal = g_object_ref (journal);
  self->context = g_main_context_ref_thread_default ();
  return self;
}

/**
 * till_sync_worker_start:
 *
 * Starts the thread, the timers and the network watch, and a first round
 * (push and pull) at once.
 */
void
till_sync_worker_start (TillSyncWorker *self)
{
  g_return_if_fail (TILL_IS_SYNC_WORKER (self));

  if (self->started)
    return;
  self->started = TRUE;
  load_identity (self);
  self->thread = g_thread_new ("till-sync", worker_thread, self);
  self->network_handler = g_signal_connect (g_network_monitor_get_default (), "network-changed",
                                            G_CALLBACK (network_changed_cb), self);
  restart_timers (self);
  if (self->identity != NULL)
    apply_prices (self, TRUE);
  sync_now (self, TRUE);
}

/**
 * till_sync_worker_stop:
 *
 * Stops the timers and joins the thread. A request in flight is waited for
 * (each is bounded by a timeout) and its result dropped: rows it carried
 * stay pending and go again after the next start.
 */
void
till_sync_worker_stop (TillSyncWorker *self)
{
  g_return_if_fail (TILL_IS_SYNC_WORKER (self));

  if (!self->started)
    return;
  self->started = FALSE;
  remove_source (self, &self->push_timer);
  remove_source (self, &self->pull_timer);
  remove_source (self, &self->retry_timer);
  remove_source (self, &self->offline_timer);
  remove_source (self, &self->price_timer);
  g_clear_signal_handler (&self->network_handler, g_network_monitor_get_default ());

  /* A request in flight ends now rather than at its timeout: quitting the
   * till must not wait for HQ. */
  g_cancellable_cancel (self->cancellable);
  g_async_queue_push (self->jobs, job_new (self, JOB_QUIT));
  g_clear_pointer (&self->thread, g_thread_join);
  g_cancellable_reset (self->cancellable);

  g_mutex_lock (&self->done_lock);
  if (self->dispatch_source != NULL)
    {
      g_source_destroy (self->dispatch_source);
      g_clear_pointer (&self->dispatch_source, g_source_unref);
    }
  g_queue_clear_full (&self->done, (GDestroyNotify) job_free);
  g_mutex_unlock (&self->done_lock);

  self->busy = FALSE;
  self->want_push = FALSE;
  self->want_pull = FALSE;
  self->failing_since_us = 0;
  self->backoff_ms = 0;
  g_clear_pointer (&self->batch, till_sync_batch_free);
  set_in_flight (self, 0);
}

/**
 * till_sync_worker_reload:
 *
 * Reads the sync identity again (after enrollment) and syncs at once; what
 * was in flight for the old identity is dropped when it comes back.
 */
void
till_sync_worker_reload (TillSyncWorker *self)
{
  g_return_if_fail (TILL_IS_SYNC_WORKER (self));

  load_identity (self);
  g_clear_pointer (&self->batch, till_sync_batch_free);
  set_in_flight (self, 0);
  succeed (self);
  set_last_error (self, NULL);
  if (!self->started)
    {
      refresh (self);
      return;
    }
  if (self->identity != NULL)
    apply_prices (self, TRUE);
  sync_now (self, TRUE);
}

/**
 * till_sync_worker_kick:
 * @pull: pull master data too
 *
 * Push now: after a sale (@pull FALSE), which waits out a backoff under way,
 * or when a person asks (@pull TRUE), which does not.
 */
void
till_sync_worker_kick (TillSyncWorker *self, gboolean pull)
{
  g_return_if_fail (TILL_IS_SYNC_WORKER (self));

  if (!self->started)
    {
      refresh (self);
      return;
    }
  if (pull)
    {
      sync_now (self, TRUE);
      return;
    }
  self->want_push = TRUE;
  /* The new sale counts at once, even while the backoff waits. */
  refresh (self);
  step (self);
}

void
till_sync_worker_set_timing (TillSyncWorker *self,
                             guint           push_ms,
                             guint           pull_ms,
                             guint           backoff_min_ms,
                             guint           backoff_max_ms,
                             guint           offline_after_ms)
{
  g_return_if_fail (TILL_IS_SYNC_WORKER (self));
  g_return_if_fail (push_ms > 0 && pull_ms > 0);
  g_return_if_fail (backoff_min_ms > 0 && backoff_min_ms <= backoff_max_ms);

  self->push_ms = push_ms;
  self->pull_ms = pull_ms;
  self->backoff_min_ms = backoff_min_ms;
  self->backoff_max_ms = backoff_max_ms;
  self->offline_after_ms = offline_after_ms;
  restart_timers (self);
}

TillSyncStatus
till_sync_worker_get_status (TillSyncWorker *self)
{
  g_return_val_if_fail (TILL_IS_SYNC_WORKER (self), TILL_SYNC_STATUS_NOT_ENROLLED);
  return self->status;
}

gint64
till_sync_worker_get_queued (TillSyncWorker *self)
{
  g_return_val_if_fail (TILL_IS_SYNC_WORKER (self), 0);
  return self->queued;
}

guint
till_sync_worker_get_in_flight (TillSyncWorker *self)
{
  g_return_val_if_fail (TILL_IS_SYNC_WORKER (self), 0);
  return self->in_flight;
}

/* When HQ became unreachable, while the status is OFFLINE or
 * OFFLINE_LIMIT; 0 otherwise. */
gint64
till_sync_worker_get_offline_since_us (TillSyncWorker *self)
{
  g_return_val_if_fail (TILL_IS_SYNC_WORKER (self), 0);
  return self->offline_since_us;
}

gint64
till_sync_worker_get_last_push_us (TillSyncWorker *self)
{
  g_return_val_if_fail (TILL_IS_SYNC_WORKER (self), 0);
  return self->last_push_us;
}

gint64
till_sync_worker_get_last_pull_us (TillSyncWorker *self)
{
  g_return_val_if_fail (TILL_IS_SYNC_WORKER (self), 0);
  return self->last_pull_us;
}

const char *
till_sync_worker_get_last_error (TillSyncWorker *self)
{
  g_return_val_if_fail (TILL_IS_SYNC_WORKER (self), NULL);
  return self->last_error;
}

void
till_sync_worker_get_limits (TillSyncWorker *self, TillSyncLimits *out_limits)
{
  g_return_if_fail (TILL_IS_SYNC_WORKER (self));
  g_return_if_fail (out_limits != NULL);

  *out_limits = self->limits;
}
