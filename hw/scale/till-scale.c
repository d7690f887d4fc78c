/* till-scale.c: weighing scales on a serial line, one driver per protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-scale"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-scale-aclas.h"
#include "till-scale-adam.h"
#include "till-scale-cas.h"
#include "till-scale-private.h"
#include "till-scale-toledo.h"
#include "till-scale-xk3190.h"
#include "till-scale.h"

/* A frame is a few dozen bytes: more than this without one is a stream of
 * garbage, dropped so the buffer never grows. */
#define MAX_BUFFERED 512
/* Draining stale input before a reading stops after this much, so a scale
 * that floods the line cannot hold a reading up forever. */
#define MAX_DRAIN 65536

struct _TillScale
{
  GObject parent_instance;

  TillTransport           *transport;
  const TillScaleProtocol *protocol;
  int                      mode;
  gboolean                 continuous;
  GMutex                   lock; /* one operation at a time */
  GByteArray              *buffer;

  TillScaleReading last;
  gint64           last_us; /* when last was read; 0 = never */
};

G_DEFINE_FINAL_TYPE (TillScale, till_scale, G_TYPE_OBJECT)

G_DEFINE_QUARK (till_scale_error_quark, till_scale_error)

static const TillScaleProtocol *const protocols[] = {
  &till_scale_protocol_toledo_8217, &till_scale_protocol_adam,  &till_scale_protocol_cas_pd2,
  &till_scale_protocol_cas,         &till_scale_protocol_aclas, &till_scale_protocol_xk3190,
};

static const char *const protocol_names[] = {
  "toledo-8217", "adam", "cas-pd2", "cas", "aclas-os2x", "xk3190", NULL,
};

static const TillScaleProtocol *
find_protocol (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    if (g_strcmp0 (protocols[i]->name, name) == 0)
      return protocols[i];
  return NULL;
}

static void
set_no_answer (TillScaleReading *reading)
{
  *reading = (TillScaleReading){
    .state = TILL_SCALE_STATE_NO_ANSWER,
    .tare = TILL_SCALE_TARE_UNKNOWN,
    .unit = TILL_SCALE_UNIT_UNKNOWN,
  };
}

/* Reads what is waiting, without waiting, and forgets it with anything
 * buffered: a reading must come from bytes sent after it was asked for. */
static gboolean
drain (TillScale *self, GError **error)
{
  guint8 scratch[256];
  gsize  total = 0;
  gssize n;

  g_byte_array_set_size (self->buffer, 0);
  while (total < MAX_DRAIN)
    {
      n = till_transport_read (self->transport, scratch, sizeof scratch, 0, error);
      if (n < 0)
        return FALSE;
      if (n == 0)
        break;
      total += (gsize) n;
    }
  return TRUE;
}

static gint64
remaining_ms (gint64 deadline_us)
{
  gint64 left = deadline_us - g_get_monotonic_time ();

  return left <= 0 ? 0 : (left + 999) / 1000;
}

/* Waits until a whole frame is parsed or @deadline_us passes. */
static gboolean
wait_for_frame (TillScale        *self,
                gint64            deadline_us,
                TillScaleReading *reading,
                gboolean         *out_found,
                GError          **error)
{
  guint8 chunk[128];

  *out_found = FALSE;
  while (TRUE)
    {
      gsize  consumed = 0;
      gint64 left;
      gssize n;

      if (self->buffer->len > 0)
        {
          gboolean found = self->protocol->parse (self->buffer->data, self->buffer->len, self->mode,
                                                  &consumed, reading);

          g_assert (consumed <= self->buffer->len);
          g_byte_array_remove_range (self->buffer, 0, (guint) consumed);
          if (found)
            {
              *out_found = TRUE;
              return TRUE;
            }
          if (self->buffer->len > MAX_BUFFERED)
            g_byte_array_set_size (self->buffer, 0);
        }
      left = remaining_ms (deadline_us);
      if (left == 0)
        {
          /* Whatever is left is a frame cut off: never a reading. */
          g_byte_array_set_size (self->buffer, 0);
          return TRUE;
        }
      n = till_transport_read (self->transport, chunk, sizeof chunk, (guint) left, error);
      if (n < 0)
        return FALSE;
      g_byte_array_append (self->buffer, chunk, (guint) n);
    }
}

static gboolean
read_locked (TillScale *self, guint timeout_ms, TillScaleReading *reading, GError **error)
{
  gint64   deadline_us = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean found = FALSE;

  set_no_answer (reading);
  if (!drain (self, error))
    return FALSE;
  if (!self->continuous && self->protocol->request != NULL &&
      !self->protocol->request (self, self->mode, timeout_ms, error))
    return FALSE;
  if (!wait_for_frame (self, deadline_us, reading, &found, error))
    return FALSE;
  if (!found)
    {
      set_no_answer (reading);
      if (!self->continuous && self->protocol->silence_repeats_ms > 0 && self->last_us != 0 &&
          g_get_monotonic_time () - self->last_us <
              (gint64) self->protocol->silence_repeats_ms * 1000)
        *reading = self->last;
      return TRUE;
    }
  self->last = *reading;
  self->last_us = g_get_monotonic_time ();
  return TRUE;
}

/* Sends a tare or zero command. A scale that answers commands has done it when
 * it answers; one that streams its weight gives no answer, and the frames
 * already on their way still show the old weight: after a tare, wait (within
 * the timeout) for a frame that says net, so that the next reading is. A scale
 * whose frames never say net costs that wait once and is not an error. */
static gboolean
command (TillScale  *self,
         const char *bytes,
         const char *what,
         gboolean    wait_for_net,
         guint       timeout_ms,
         GError    **error)
{
  TillScaleReading answer;
  gboolean         ok;
  gboolean         found = FALSE;

  if (bytes == NULL)
    {
      g_set_error (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_NOT_SUPPORTED,
                   _ ("The scale %s (%s) has no %s command"),
                   till_transport_get_uri (self->transport), self->protocol->name, what);
      return FALSE;
    }
  g_mutex_lock (&self->lock);
  ok = drain (self, error) && _till_scale_write (self, bytes, strlen (bytes), error);
  if (ok && self->protocol->answers_commands)
    {
      ok = wait_for_frame (self, g_get_monotonic_time () + (gint64) timeout_ms * 1000, &answer,
                           &found, error);
      if (ok && !found)
        {
          g_set_error (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_NO_ANSWER,
                       _ ("The scale %s did not answer the %s command"),
                       till_transport_get_uri (self->transport), what);
          ok = FALSE;
        }
    }
  else if (ok && wait_for_net)
    {
      gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

      do
        ok = wait_for_frame (self, deadline, &answer, &found, error);
      while (ok && found && !answer.net && g_get_monotonic_time () < deadline);
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

static void
read_thread_cb (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  TillScale        *self = source_object;
  guint             timeout_ms = GPOINTER_TO_UINT (task_data);
  TillScaleReading *reading = g_new0 (TillScaleReading, 1);
  GError           *error = NULL;

  if (g_task_return_error_if_cancelled (task))
    {
      g_free (reading);
      return;
    }
  if (till_scale_read (self, timeout_ms, reading, &error))
    g_task_return_pointer (task, reading, g_free);
  else
    {
      g_free (reading);
      g_task_return_error (task, error);
    }
}

static void
till_scale_finalize (GObject *object)
{
  TillScale *self = TILL_SCALE (object);

  g_clear_object (&self->transport);
  g_clear_pointer (&self->buffer, g_byte_array_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (till_scale_parent_class)->finalize (object);
}

static void
till_scale_class_init (TillScaleClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = till_scale_finalize;
}

static void
till_scale_init (TillScale *self)
{
  g_mutex_init (&self->lock);
  self->buffer = g_byte_array_new ();
}

/* ---- For the drivers ---------------------------------------------------- */

gboolean
_till_scale_write (TillScale *self, const void *data, gsize len, GError **error)
{
  return till_transport_write_all (self->transport, data, len, error);
}

gboolean
_till_scale_wait_for_byte (
    TillScale *self, guint8 byte, guint timeout_ms, gboolean *out_seen, GError **error)
{
  gint64 deadline_us = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  *out_seen = FALSE;
  while (TRUE)
    {
      guint8 chunk[64];
      gint64 left = remaining_ms (deadline_us);
      gssize n;

      if (left == 0)
        return TRUE;
      n = till_transport_read (self->transport, chunk, sizeof chunk, (guint) left, error);
      if (n < 0)
        return FALSE;
      for (gssize i = 0; i < n; i++)
        if (chunk[i] == byte)
          {
            /* Whatever follows belongs to the next frame. */
            g_byte_array_append (self->buffer, chunk + i + 1, (guint) (n - i - 1));
            *out_seen = TRUE;
            return TRUE;
          }
    }
}

gssize
_till_scale_find_byte (const guint8 *buffer, gsize len, gsize from, guint8 byte)
{
  for (gsize i = from; i < len; i++)
    if (buffer[i] == byte)
      return (gssize) i;
  return -1;
}

TillScaleUnit
_till_scale_parse_unit (const char *text, gsize len)
{
  g_autofree char *unit = g_ascii_strdown (text, (gssize) len);

  g_strstrip (unit);
  if (strcmp (unit, "kg") == 0)
    return TILL_SCALE_UNIT_KG;
  if (strcmp (unit, "g") == 0)
    return TILL_SCALE_UNIT_G;
  if (strcmp (unit, "lb") == 0)
    return TILL_SCALE_UNIT_LB;
  return TILL_SCALE_UNIT_UNKNOWN;
}

gboolean
_till_scale_parse_weight (
    const char *text, gsize len, int decimals, TillScaleUnit unit, gint64 *out_grams)
{
  gboolean negative = FALSE;
  gboolean seen_point = FALSE;
  gboolean seen_digit = FALSE;
  gboolean done = FALSE; /* trailing spaces */
  gint64   value = 0;
  int      n_decimals = 0;
  gint64   scale;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == ' ')
        {
          if (seen_digit || seen_point)
            done = TRUE;
          continue;
        }
      if (done)
        return FALSE;
      if ((c == '-' || c == '+') && !seen_digit && !seen_point)
        negative = c == '-';
      else if (c == '.' && !seen_point)
        seen_point = TRUE;
      else if (g_ascii_isdigit (c))
        {
          if (value > G_MAXINT64 / 100)
            return FALSE;
          value = value * 10 + (c - '0');
          seen_digit = TRUE;
          if (seen_point)
            n_decimals++;
        }
      else
        return FALSE;
    }
  if (!seen_digit)
    return FALSE;
  if (!seen_point)
    n_decimals = decimals < 0 ? 0 : decimals;
  if (n_decimals > 6)
    return FALSE;

  /* value / 10^n_decimals units, in grams. */
  scale = 1;
  for (int i = 0; i < n_decimals; i++)
    scale *= 10;
  switch (unit)
    {
    case TILL_SCALE_UNIT_G:
      value = (value + scale / 2) / scale;
      break;
    case TILL_SCALE_UNIT_LB:
      /* 1 lb = 453.59237 g exactly. */
      value = (gint64) (((__int128) value * 45359237 + (__int128) scale * 50000) /
                        ((__int128) scale * 100000));
      break;
    case TILL_SCALE_UNIT_KG:
    case TILL_SCALE_UNIT_UNKNOWN:
    default:
      value = (value * 1000 + scale / 2) / scale;
      break;
    }
  *out_grams = negative ? -value : value;
  return TRUE;
}

/* ---- Public API ------------------------------------------------------- */

const char *
till_scale_state_to_string (TillScaleState state)
{
  switch (state)
    {
    case TILL_SCALE_STATE_STABLE:
      return "stable";
    case TILL_SCALE_STATE_UNSTABLE:
      return "unstable";
    case TILL_SCALE_STATE_NEGATIVE:
      return "negative";
    case TILL_SCALE_STATE_OVERLOAD:
      return "overload";
    case TILL_SCALE_STATE_UNDERLOAD:
      return "underload";
    case TILL_SCALE_STATE_ERROR:
      return "error";
    case TILL_SCALE_STATE_NO_ANSWER:
      return "no-answer";
    default:
      return "unknown";
    }
}

/**
 * till_scale_list_protocols:
 *
 * Returns: (transfer none): the protocol names, NULL-terminated
 */
const char *const *
till_scale_list_protocols (void)
{
  return protocol_names;
}

/**
 * till_scale_new_for_transport:
 * @transport: an open transport
 * @protocol: a name from till_scale_list_protocols()
 * @options: a URI query ("mode=request"), or %NULL
 *
 * Returns: (transfer full): the scale, or %NULL with %TILL_SCALE_ERROR_PROTOCOL
 */
TillScale *
till_scale_new_for_transport (TillTransport *transport,
                              const char    *protocol,
                              const char    *options,
                              GError       **error)
{
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (TillScale) self = NULL;
  const TillScaleProtocol *found;

  g_return_val_if_fail (TILL_IS_TRANSPORT (transport), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  found = protocol != NULL ? find_protocol (protocol) : NULL;
  if (found == NULL)
    {
      g_autofree char *known = g_strjoinv (", ", (char **) protocol_names);

      g_set_error (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_PROTOCOL,
                   _ ("%s: no scale protocol “%s” (known: %s)"), till_transport_get_uri (transport),
                   protocol ? protocol : "", known);
      return NULL;
    }
  if (options != NULL && *options != '\0')
    {
      params = g_uri_parse_params (options, -1, "&", G_URI_PARAMS_NONE, error);
      if (params == NULL)
        {
          g_prefix_error (error, "%s: ", till_transport_get_uri (transport));
          return NULL;
        }
    }
  else
    params = g_hash_table_new (g_str_hash, g_str_equal);

  self = g_object_new (TILL_TYPE_SCALE, NULL);
  self->transport = g_object_ref (transport);
  self->protocol = found;
  if (found->setup != NULL && !found->setup (params, &self->mode, &self->continuous, error))
    {
      g_prefix_error (error, "%s: ", till_transport_get_uri (transport));
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * till_scale_open:
 * @uri: a transport URI with protocol=NAME in its query
 *
 * Returns: (transfer full): the scale, or %NULL with an error naming @uri
 */
TillScale *
till_scale_open (const char *uri, GError **error)
{
  g_autoptr (GUri) parsed = NULL;
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (TillTransport) transport = NULL;
  g_autofree char         *transport_uri = NULL;
  const TillScaleProtocol *protocol;
  const char              *query;
  const char              *name;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_PARSE_RELAXED, error);
  if (parsed == NULL)
    return NULL;
  query = g_uri_get_query (parsed);
  params = query != NULL ? g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL) : NULL;
  name = params != NULL ? g_hash_table_lookup (params, "protocol") : NULL;
  protocol = name != NULL ? find_protocol (name) : NULL;
  if (protocol == NULL)
    {
      g_autofree char *known = g_strjoinv (", ", (char **) protocol_names);

      g_set_error (error, TILL_SCALE_ERROR, TILL_SCALE_ERROR_PROTOCOL,
                   _ ("%s: name the scale's protocol, as protocol=toledo-8217 (known: %s)"), uri,
                   known);
      return NULL;
    }

  /* Bad options are the configuration's fault, whatever the device does. */
  if (protocol->setup != NULL)
    {
      int      mode;
      gboolean continuous;

      if (!protocol->setup (params, &mode, &continuous, error))
        {
          g_prefix_error (error, "%s: ", uri);
          return NULL;
        }
    }

  /* A serial URI without line settings gets the protocol's. */
  if (g_ascii_strcasecmp (g_uri_get_scheme (parsed), "serial") == 0 &&
      !g_hash_table_contains (params, "baud") && !g_hash_table_contains (params, "bits") &&
      !g_hash_table_contains (params, "parity"))
    transport_uri = g_strconcat (uri, "&", protocol->serial_defaults, NULL);
  else
    transport_uri = g_strdup (uri);

  transport = till_transport_open (transport_uri, error);
  if (transport == NULL)
    return NULL;
  return till_scale_new_for_transport (transport, protocol->name, query, error);
}

const char *
till_scale_get_protocol (TillScale *self)
{
  g_return_val_if_fail (TILL_IS_SCALE (self), NULL);
  return self->protocol->name;
}

/* Returns: (transfer none): the transport the scale is driven over */
TillTransport *
till_scale_get_transport (TillScale *self)
{
  g_return_val_if_fail (TILL_IS_SCALE (self), NULL);
  return self->transport;
}

gboolean
till_scale_get_continuous (TillScale *self)
{
  g_return_val_if_fail (TILL_IS_SCALE (self), FALSE);
  return self->continuous;
}

/**
 * till_scale_read:
 * @timeout_ms: the longest wait for a whole frame
 * @out_reading: (out): the reading
 *
 * Blocking: run it in a worker thread, or use till_scale_read_async().
 */
gboolean
till_scale_read (TillScale *self, guint timeout_ms, TillScaleReading *out_reading, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (TILL_IS_SCALE (self), FALSE);
  g_return_val_if_fail (out_reading != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);
  ok = read_locked (self, timeout_ms, out_reading, error);
  if (!ok)
    set_no_answer (out_reading);
  g_mutex_unlock (&self->lock);
  return ok;
}

/* Sets the tare to what is on the scale (blocking). */
gboolean
till_scale_tare (TillScale *self, guint timeout_ms, GError **error)
{
  g_return_val_if_fail (TILL_IS_SCALE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return command (self, self->protocol->tare, _ ("tare"), TRUE, timeout_ms, error);
}

/* Zeroes the scale (blocking). */
gboolean
till_scale_zero (TillScale *self, guint timeout_ms, GError **error)
{
  g_return_val_if_fail (TILL_IS_SCALE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return command (self, self->protocol->zero, _ ("zero"), FALSE, timeout_ms, error);
}

gboolean
till_scale_close (TillScale *self, GError **error)
{
  g_return_val_if_fail (TILL_IS_SCALE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return till_transport_close (self->transport, error);
}

/**
 * till_scale_read_async:
 *
 * till_scale_read() in a worker thread; @callback runs in the caller's main
 * context.
 */
void
till_scale_read_async (TillScale          *self,
                       guint               timeout_ms,
                       GCancellable       *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (TILL_IS_SCALE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, till_scale_read_async);
  g_task_set_task_data (task, GUINT_TO_POINTER (timeout_ms), NULL);
  g_task_run_in_thread (task, read_thread_cb);
}

gboolean
till_scale_read_finish (TillScale        *self,
                        GAsyncResult     *result,
                        TillScaleReading *out_reading,
                        GError          **error)
{
  g_autofree TillScaleReading *reading = NULL;

  g_return_val_if_fail (TILL_IS_SCALE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == till_scale_read_async, FALSE);
  g_return_val_if_fail (out_reading != NULL, FALSE);

  reading = g_task_propagate_pointer (G_TASK (result), error);
  if (reading == NULL)
    {
      set_no_answer (out_reading);
      return FALSE;
    }
  *out_reading = *reading;
  return TRUE;
}
