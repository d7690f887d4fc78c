/* till-sync-state.c: the till's enrollment with HQ and its offline limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sync-state"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <inttypes.h>
#include <sys/statvfs.h>

#include "till-cart.h"
#include "till-journal.h"
#include "till-outbox.h"
#include "till-store.h"
#include "till-sync-state.h"

/* The defaults of SYNC.md §5 6.7. */
#define DEFAULT_OLDEST_HOURS 72
#define DEFAULT_MAX_PENDING 20000
#define DEFAULT_MIN_FREE_MB 100

#define BLOCK_SETTING "sync.limit.block"
#define RESTORED_SETTING "sync.restored-us"
#define LAST_CONTACT_SETTING "sync.last-contact-us"

/* How long without a sync round reaching HQ before the till counts as
 * offline: a few missed rounds (the client syncs every 30 s or so), not one
 * slow request. */
#define OFFLINE_AFTER_US (2 * G_TIME_SPAN_MINUTE)

G_DEFINE_QUARK (till_sync_state_error_quark, till_sync_state_error)

/* The settings behind TillSyncIdentity, in one place for load and save. */
#define KEY_TILL_ID "till.id"
#define KEY_URL "sync.url"
#define KEY_STORE "sync.store"
#define KEY_EPOCH "sync.epoch"
#define KEY_HQ_KEY "sync.hq-key"
#define KEY_CERT "sync.cert"
#define KEY_KEY "sync.key"
#define KEY_CA "sync.ca"
#define KEY_ENROLLED_US "sync.enrolled-us"

/* A non-negative integer setting; @fallback when unset or unreadable (a
 * limit the store typed wrong must not stop the till, so it is logged and the
 * default holds). */
static guint64
get_uint_setting (TillStore *store, const char *key, guint64 fallback)
{
  g_autofree char *text = till_store_get_setting (store, key);
  g_autoptr (GError) error = NULL;
  guint64 value;

  if (text == NULL || *text == '\0')
    return fallback;
  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, &error))
    {
      g_message ("Setting %s is not a number (%s); using %" G_GUINT64_FORMAT, key, error->message,
                 fallback);
      return fallback;
    }
  return value;
}

/* A signed integer setting; 0 when unset or unreadable. */
static gint64
get_time_setting (TillStore *store, const char *key)
{
  g_autofree char *text = till_store_get_setting (store, key);
  gint64           value = 0;

  if (text == NULL || *text == '\0' ||
      !g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, NULL))
    return 0;
  return value;
}

/* The limits listed in sync.limit.block ("oldest,queue,disk"). */
static TillSyncLimit
parse_block_list (const char *text)
{
  g_auto (GStrv) names = NULL;
  TillSyncLimit limits = TILL_SYNC_LIMIT_NONE;

  if (text == NULL)
    return TILL_SYNC_LIMIT_NONE;
  names = g_strsplit (text, ",", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = g_strstrip (names[i]);

      if (g_strcmp0 (name, "oldest") == 0)
        limits |= TILL_SYNC_LIMIT_OLDEST;
      else if (g_strcmp0 (name, "queue") == 0)
        limits |= TILL_SYNC_LIMIT_QUEUE;
      else if (g_strcmp0 (name, "disk") == 0)
        limits |= TILL_SYNC_LIMIT_DISK;
      else if (*name != '\0')
        g_message ("Setting %s names an unknown limit “%s”", BLOCK_SETTING, name);
    }
  return limits;
}

static gboolean
get_free_bytes (TillStore *store, guint64 *out_free, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (till_store_get_path (store));
  struct statvfs   fs;

  if (statvfs (dir, &fs) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_FAILED,
                   _ ("Cannot read the free space of %s: %s"), dir, g_strerror (saved_errno));
      return FALSE;
    }
  *out_free = (guint64) fs.f_bavail * (guint64) fs.f_frsize;
  return TRUE;
}

/* Why selling stopped, for the cashier: the first blocking limit exceeded. */
static char *
describe_limit (const TillSyncLimits *limits, TillSyncLimit which, gint64 now_us)
{
  switch (which)
    {
    case TILL_SYNC_LIMIT_OLDEST:
      return g_strdup_printf (_ ("the oldest unsent sale is %" PRId64 " hours old"),
                              (now_us - limits->oldest_pending_us) / G_TIME_SPAN_HOUR);
    case TILL_SYNC_LIMIT_QUEUE:
      return g_strdup_printf (_ ("%" PRId64 " sales wait to be sent (the limit is %" PRId64 ")"),
                              limits->pending, limits->max_pending);
    case TILL_SYNC_LIMIT_DISK:
      {
        g_autofree char *left = g_format_size (limits->free_bytes);

        return g_strdup_printf (_ ("only %s of disk space is left"), left);
      }
    case TILL_SYNC_LIMIT_NONE:
    default:
      g_assert_not_reached ();
    }
}

static gboolean
save_in_transaction (TillStore              *store,
                     TillJournal            *journal,
                     const TillSyncIdentity *identity,
                     gint64                  now_us,
                     GError                **error)
{
  g_autofree char *epoch = g_strdup_printf ("%u", identity->epoch);
  g_autofree char *enrolled_us = g_strdup_printf ("%" PRId64, identity->enrolled_us);
  g_autoptr (GBytes) body = NULL;
  GString *json;
  struct
  {
    const char *key;
    const char *value;
  } settings[] = {
    { KEY_TILL_ID, identity->till_id },
    { KEY_URL, identity->url },
    { KEY_STORE, identity->store_id },
    { KEY_EPOCH, epoch },
    { KEY_HQ_KEY, identity->hq_key },
    { KEY_CERT, identity->cert_path },
    { KEY_KEY, identity->key_path },
    { KEY_CA, identity->ca_path },
    { KEY_ENROLLED_US, enrolled_us },
    /* A new epoch: whatever a restored database reused is behind it. */
    { RESTORED_SETTING, "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    if (!till_store_set_setting (store, settings[i].key,
                                 settings[i].value != NULL ? settings[i].value : "", error))
      return FALSE;

  json = g_string_new ("{");
  _till_json_add_string (json, "till_id", identity->till_id);
  _till_json_add_string (json, "store_id", identity->store_id);
  _till_json_add_int (json, "epoch", identity->epoch);
  _till_json_add_string (json, "url", identity->url);
  g_string_append_c (json, '}');
  body = g_string_free_to_bytes (json);
  return till_journal_append (journal, "enroll", NULL, now_us, body, NULL, NULL, error);
}

/* The thresholds in force and the limits the store made blocking. */
static void
read_thresholds (TillStore *store, TillSyncLimits *limits)
{
  guint64 hours;
  guint64 free_mb;

  hours = MIN (get_uint_setting (store, "sync.limit.oldest-hours", DEFAULT_OLDEST_HOURS),
               (guint64) (G_MAXINT64 / G_TIME_SPAN_HOUR));
  free_mb = MIN (get_uint_setting (store, "sync.limit.free-mb", DEFAULT_MIN_FREE_MB),
                 G_MAXUINT64 / (1024 * 1024));
  limits->max_age_us = (gint64) hours * G_TIME_SPAN_HOUR;
  limits->max_pending = (gint64) get_uint_setting (store, "sync.limit.queue", DEFAULT_MAX_PENDING);
  limits->min_free_bytes = free_mb * 1024 * 1024;
}

/* Sets limits->exceeded from the figures measured for @measured. */
static void
evaluate (TillSyncLimits *limits, TillSyncLimit measured, TillSyncLimit blockable, gint64 now_us)
{
  limits->exceeded = TILL_SYNC_LIMIT_NONE;
  if ((measured & TILL_SYNC_LIMIT_OLDEST) && limits->oldest_pending_us > 0 &&
      now_us - limits->oldest_pending_us > limits->max_age_us)
    limits->exceeded |= TILL_SYNC_LIMIT_OLDEST;
  if ((measured & TILL_SYNC_LIMIT_QUEUE) && limits->pending > limits->max_pending)
    limits->exceeded |= TILL_SYNC_LIMIT_QUEUE;
  if ((measured & TILL_SYNC_LIMIT_DISK) && limits->free_bytes < limits->min_free_bytes)
    limits->exceeded |= TILL_SYNC_LIMIT_DISK;
  limits->blocking = limits->exceeded & blockable;
}

/* Measures only the limits in @which, each with one indexed query (or one
 * statvfs): what a new sale pays when the store made limits blocking. */
static gboolean
measure_some (TillStore *store, TillSyncLimit which, TillSyncLimits *limits, GError **error)
{
  if (which & TILL_SYNC_LIMIT_OLDEST)
    {
      g_autoptr (TillStmt) stmt =
          till_store_prepare (store,
                              "SELECT created_us FROM outbox WHERE state = 'pending' "
                              "ORDER BY seq LIMIT 1",
                              error);
      int rc;

      if (stmt == NULL)
        return FALSE;
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        limits->oldest_pending_us = sqlite3_column_int64 (stmt, 0);
      else if (rc != SQLITE_DONE)
        {
          till_store_set_error (store, error, _ ("Cannot read the outbox"));
          return FALSE;
        }
    }
  if (which & TILL_SYNC_LIMIT_QUEUE)
    {
      g_autoptr (TillStmt) stmt =
          till_store_prepare (store, "SELECT count (*) FROM outbox WHERE state = 'pending'", error);

      if (stmt == NULL)
        return FALSE;
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          till_store_set_error (store, error, _ ("Cannot read the outbox"));
          return FALSE;
        }
      limits->pending = sqlite3_column_int64 (stmt, 0);
    }
  if ((which & TILL_SYNC_LIMIT_DISK) && !get_free_bytes (store, &limits->free_bytes, error))
    return FALSE;
  return TRUE;
}

void
till_sync_identity_free (TillSyncIdentity *identity)
{
  if (identity == NULL)
    return;
  g_free (identity->url);
  g_free (identity->till_id);
  g_free (identity->store_id);
  g_free (identity->hq_key);
  g_free (identity->cert_path);
  g_free (identity->key_path);
  g_free (identity->ca_path);
  g_free (identity);
}

/**
 * till_sync_identity_load:
 *
 * Returns: (transfer full): the till's enrollment, or %NULL with
 *   %TILL_SYNC_STATE_ERROR_NOT_ENROLLED before enrollment (a till id set by
 *   hand or by the demo is not an enrollment)
 */
TillSyncIdentity *
till_sync_identity_load (TillStore *store, GError **error)
{
  g_autoptr (TillSyncIdentity) identity = NULL;
  g_autofree char *epoch = NULL;
  g_autofree char *enrolled_us = NULL;
  guint64          epoch_value = 0;
  gint64           enrolled_value = 0;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  identity = g_new0 (TillSyncIdentity, 1);
  identity->url = till_store_get_setting (store, KEY_URL);
  identity->till_id = till_store_get_setting (store, KEY_TILL_ID);
  epoch = till_store_get_setting (store, KEY_EPOCH);
  if (identity->url == NULL || *identity->url == '\0' || identity->till_id == NULL ||
      epoch == NULL || !g_ascii_string_to_unsigned (epoch, 10, 0, G_MAXUINT32, &epoch_value, NULL))
    {
      g_set_error (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_NOT_ENROLLED,
                   _ ("This till is not enrolled with HQ"));
      return NULL;
    }
  identity->epoch = (guint32) epoch_value;
  identity->store_id = till_store_get_setting (store, KEY_STORE);
  identity->hq_key = till_store_get_setting (store, KEY_HQ_KEY);
  identity->cert_path = till_store_get_setting (store, KEY_CERT);
  identity->key_path = till_store_get_setting (store, KEY_KEY);
  identity->ca_path = till_store_get_setting (store, KEY_CA);
  enrolled_us = till_store_get_setting (store, KEY_ENROLLED_US);
  if (enrolled_us != NULL &&
      g_ascii_string_to_signed (enrolled_us, 10, 0, G_MAXINT64, &enrolled_value, NULL))
    identity->enrolled_us = enrolled_value;
  return g_steal_pointer (&identity);
}

/**
 * till_sync_identity_save:
 * @journal: the till's journal: the enrollment is journaled
 * @identity: what HQ assigned at enrollment
 * @now_us: when (the journal entry's time)
 *
 * Stores the identity and appends an "enroll" journal entry
 * ({"till_id","store_id","epoch","url"}) in one transaction: the caller's
 * when one is open, else its own.
 */
gboolean
till_sync_identity_save (TillStore              *store,
                         TillJournal            *journal,
                         const TillSyncIdentity *identity,
                         gint64                  now_us,
                         GError                **error)
{
  gboolean own;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (TILL_IS_JOURNAL (journal), FALSE);
  g_return_val_if_fail (identity != NULL, FALSE);
  g_return_val_if_fail (identity->url != NULL && identity->till_id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (*identity->till_id == '\0' || *identity->url == '\0')
    {
      g_set_error (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_FAILED,
                   _ ("An enrollment needs a till id and the address of HQ"));
      return FALSE;
    }

  own = !till_store_in_transaction (store);
  if (own && !till_store_begin (store, error))
    return FALSE;
  if (!save_in_transaction (store, journal, identity, now_us, error))
    {
      if (own)
        till_store_rollback (store);
      return FALSE;
    }
  return !own || till_store_commit (store, error);
}

/**
 * till_sync_mark_restored:
 *
 * Records that HQ holds more of this till than its database does; new
 * sales stop until the next enrollment.
 */
gboolean
till_sync_mark_restored (TillStore *store, gint64 now_us, GError **error)
{
  g_autofree char *when = g_strdup_printf ("%" PRId64, now_us);

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);

  return till_store_set_setting (store, RESTORED_SETTING, when, error);
}

/**
 * till_sync_record_contact:
 * @now_us: when the round reached HQ
 *
 * Records a sync round that reached HQ (a push acknowledged, a pull page
 * applied): the offline episode, if any, ends here. A time older than the
 * one recorded is ignored, so a slow round cannot move the contact back.
 */
gboolean
till_sync_record_contact (TillStore *store, gint64 now_us, GError **error)
{
  g_autofree char *when = NULL;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (now_us <= get_time_setting (store, LAST_CONTACT_SETTING))
    return TRUE;
  when = g_strdup_printf ("%" PRId64, now_us);
  return till_store_set_setting (store, LAST_CONTACT_SETTING, when, error);
}

/**
 * till_sync_offline_since:
 * @now_us: now
 * @out_since_us: (out) (optional): when offline, the start of the episode:
 *   the last contact with HQ, or the enrollment when there was none since
 *
 * Whether the till is offline: enrolled and without contact with HQ for
 * more than two minutes. A standalone till is never offline: it owns its
 * ledgers. Reads settings only; never fails (an unreadable setting counts
 * as no contact).
 *
 * Returns: %TRUE when offline
 */
gboolean
till_sync_offline_since (TillStore *store, gint64 now_us, gint64 *out_since_us)
{
  g_autoptr (TillSyncIdentity) identity = NULL;
  gint64 since_us;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);

  if (out_since_us != NULL)
    *out_since_us = 0;
  identity = till_sync_identity_load (store, NULL);
  if (identity == NULL)
    return FALSE;
  /* A contact recorded before the till was enrolled again belongs to the
   * old enrollment. */
  since_us = MAX (get_time_setting (store, LAST_CONTACT_SETTING), identity->enrolled_us);
  if (now_us - since_us <= OFFLINE_AFTER_US)
    return FALSE;
  if (out_since_us != NULL)
    *out_since_us = since_us;
  return TRUE;
}

/**
 * till_sync_check_limits:
 * @now_us: the time the age of the oldest unsent document is measured at
 * @out_limits: (out caller-allocates): the figures, thresholds and which
 *   limits are exceeded and blocking
 *
 * Reads the offline limits of SYNC.md §5 6.7 from the settings (defaults
 * 72 hours, 20,000 documents, 100 MB free) and measures the outbox and the
 * free space of the database's file system against them.
 */
gboolean
till_sync_check_limits (TillStore *store, gint64 now_us, TillSyncLimits *out_limits, GError **error)
{
  g_autofree char *block_text = NULL;
  TillOutboxStats  stats = { 0 };
  TillSyncLimits   limits = { 0 };
  TillSyncLimit    blockable;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (out_limits != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  block_text = till_store_get_setting (store, BLOCK_SETTING);
  blockable = parse_block_list (block_text);
  read_thresholds (store, &limits);
  if (!till_outbox_get_stats (store, &stats, error))
    return FALSE;
  limits.pending = stats.pending;
  limits.oldest_pending_us = stats.oldest_pending_us;
  till_outbox_stats_clear (&stats);
  if (!get_free_bytes (store, &limits.free_bytes, error))
    return FALSE;

  evaluate (&limits, TILL_SYNC_LIMIT_OLDEST | TILL_SYNC_LIMIT_QUEUE | TILL_SYNC_LIMIT_DISK,
            blockable, now_us);
  *out_limits = limits;
  return TRUE;
}

/**
 * till_sync_allow_new_sale:
 * @now_us: now
 *
 * Whether a new sale may start. Cheap when the store made no limit blocking
 * (the default): one settings read. A limit that cannot be measured does not
 * stop selling.
 *
 * Returns: %FALSE with %TILL_SYNC_STATE_ERROR_LIMIT and a message for the
 *   cashier naming the limit when a blocking limit is exceeded
 */
gboolean
till_sync_allow_new_sale (TillStore *store, gint64 now_us, GError **error)
{
  g_autofree char *restored = NULL;
  g_autofree char *block_text = NULL;
  g_autofree char *reason = NULL;
  g_autoptr (GError) local_error = NULL;
  TillSyncLimits limits = { 0 };
  TillSyncLimit  blockable;
  TillSyncLimit  first;

  g_return_val_if_fail (TILL_IS_STORE (store), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  restored = till_store_get_setting (store, RESTORED_SETTING);
  if (restored != NULL && *restored != '\0')
    {
      g_set_error (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_RESTORED,
                   _ ("Selling is stopped: this till’s database is older than what HQ holds of "
                      "it (restored from a backup?). Store IT must enroll the till again."));
      return FALSE;
    }
  /* The common case, every limit only warning, costs these two reads. */
  block_text = till_store_get_setting (store, BLOCK_SETTING);
  if (block_text == NULL || *block_text == '\0')
    return TRUE;

  blockable = parse_block_list (block_text);
  read_thresholds (store, &limits);
  /* The limits guard against losing sales on a till that never syncs; a
   * failure to measure them is no reason to turn a customer away. */
  if (!measure_some (store, blockable, &limits, &local_error))
    {
      g_message ("Cannot check the offline limits: %s", local_error->message);
      return TRUE;
    }
  evaluate (&limits, blockable, blockable, now_us);
  if (limits.blocking == TILL_SYNC_LIMIT_NONE)
    return TRUE;

  if (limits.blocking & TILL_SYNC_LIMIT_OLDEST)
    first = TILL_SYNC_LIMIT_OLDEST;
  else if (limits.blocking & TILL_SYNC_LIMIT_QUEUE)
    first = TILL_SYNC_LIMIT_QUEUE;
  else
    first = TILL_SYNC_LIMIT_DISK;
  reason = describe_limit (&limits, first, now_us);
  g_set_error (error, TILL_SYNC_STATE_ERROR, TILL_SYNC_STATE_ERROR_LIMIT,
               _ ("Selling is stopped: %s. Connect the till to HQ, or ask the manager."), reason);
  return FALSE;
}
