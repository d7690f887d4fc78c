/* till-serial-scanner.c: barcode scanners on a serial port (or any TillTransport)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-scanner"

#include "config.h"

#include <string.h>

#include "till-serial-scanner.h"
#include "till-transport.h"

/* ---- Framing --------------------------------------------------------------- */

struct _TillScanFramer
{
  GByteArray *prefix;
  GByteArray *suffix;
  gboolean    line_ending; /* the suffix is CR and/or LF only */
  guint       timeout_ms;

  GByteArray *pending;
  gboolean    discarding; /* an overlong code: skip to its end */
  gint64      last_byte_ms;
  guint       dropped;
};

static GByteArray *
byte_array_from_string (const char *text)
{
  GByteArray *array = g_byte_array_new ();

  if (text != NULL)
    g_byte_array_append (array, (const guint8 *) text, (guint) strlen (text));
  return array;
}

static gboolean
is_line_ending (GByteArray *suffix)
{
  if (suffix->len == 0)
    return FALSE;
  for (guint i = 0; i < suffix->len; i++)
    if (suffix->data[i] != '\r' && suffix->data[i] != '\n')
      return FALSE;
  return TRUE;
}

/**
 * till_scan_framer_new:
 *
 * Returns: (transfer full): a framer with nothing pending
 */
TillScanFramer *
till_scan_framer_new (const char *prefix, const char *suffix, guint timeout_ms)
{
  TillScanFramer *self = g_new0 (TillScanFramer, 1);

  self->prefix = byte_array_from_string (prefix);
  self->suffix = byte_array_from_string (suffix);
  self->line_ending = is_line_ending (self->suffix);
  self->timeout_ms = MAX (timeout_ms, 1);
  self->pending = g_byte_array_new ();
  return self;
}

void
till_scan_framer_free (TillScanFramer *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->prefix);
  g_byte_array_unref (self->suffix);
  g_byte_array_unref (self->pending);
  g_free (self);
}

static const guint8 *
find_bytes (const guint8 *haystack, gsize haystack_len, const guint8 *needle, gsize needle_len)
{
  if (needle_len == 0 || haystack_len < needle_len)
    return needle_len == 0 ? haystack : NULL;
  for (gsize i = 0; i + needle_len <= haystack_len; i++)
    if (memcmp (haystack + i, needle, needle_len) == 0)
      return haystack + i;
  return NULL;
}

static gboolean
is_clean_text (const guint8 *code, gsize len)
{
  for (gsize i = 0; i < len; i++)
    /* GS (0x1D) separates GS1 fields in GS1-128 and GS1 DataMatrix codes. */
    if ((code[i] < 0x20 && code[i] != 0x1D) || code[i] == 0x7F)
      return FALSE;
  return g_utf8_validate ((const char *) code, (gssize) len, NULL);
}

static void
drop_pending (TillScanFramer *self, const char *why)
{
  if (self->pending->len > 0 || self->discarding)
    {
      self->dropped++;
      g_debug ("Dropped %u scanner bytes: %s", self->pending->len, why);
    }
  g_byte_array_set_size (self->pending, 0);
  self->discarding = FALSE;
}

/* The pending bytes (suffix already removed) make one code. */
static void
finish_code (TillScanFramer *self, GPtrArray *codes)
{
  const guint8 *start = self->pending->data;
  gsize         len = self->pending->len;

  if (self->discarding)
    {
      drop_pending (self, "longer than a code can be");
      return;
    }
  if (len == 0)
    return; /* the LF of a CRLF, or a blank line */
  if (self->prefix->len > 0)
    {
      const guint8 *found = find_bytes (start, len, self->prefix->data, self->prefix->len);

      if (found == NULL)
        {
          drop_pending (self, "no prefix");
          return;
        }
      len -= (gsize) (found - start) + self->prefix->len;
      start = found + self->prefix->len;
    }
  if (len == 0 || !is_clean_text (start, len))
    {
      drop_pending (self, len == 0 ? "an empty code" : "control bytes or invalid UTF-8");
      return;
    }
  g_ptr_array_add (codes, g_strndup ((const char *) start, len));
  g_byte_array_set_size (self->pending, 0);
}

void
till_scan_framer_check_timeout (TillScanFramer *self, gint64 now_ms, GPtrArray *codes)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (codes != NULL);

  if ((self->pending->len == 0 && !self->discarding) ||
      now_ms - self->last_byte_ms <= (gint64) self->timeout_ms)
    return;
  if (self->suffix->len == 0)
    finish_code (self, codes);
  else
    drop_pending (self, "cut off: no suffix within the timeout");
}

void
till_scan_framer_feed (
    TillScanFramer *self, const guint8 *data, gsize len, gint64 now_ms, GPtrArray *codes)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL || len == 0);
  g_return_if_fail (codes != NULL);

  if (len == 0)
    return;
  /* Bytes after a pause start a new code: the old ones time out first. */
  till_scan_framer_check_timeout (self, now_ms, codes);
  self->last_byte_ms = now_ms;

  for (gsize i = 0; i < len; i++)
    {
      guint8 byte = data[i];

      if (self->line_ending)
        {
          if (byte == '\r' || byte == '\n')
            finish_code (self, codes);
          else if (!self->discarding)
            g_byte_array_append (self->pending, &byte, 1);
        }
      else if (self->suffix->len > 0)
        {
          if (!self->discarding)
            g_byte_array_append (self->pending, &byte, 1);
          else
            {
              /* Keep only enough of an overlong code to see its suffix come. */
              g_byte_array_append (self->pending, &byte, 1);
              if (self->pending->len > self->suffix->len)
                g_byte_array_remove_index (self->pending, 0);
            }
          if (self->pending->len >= self->suffix->len &&
              memcmp (self->pending->data + self->pending->len - self->suffix->len,
                      self->suffix->data, self->suffix->len) == 0)
            {
              g_byte_array_set_size (self->pending, self->pending->len - self->suffix->len);
              finish_code (self, codes);
            }
        }
      else if (!self->discarding)
        g_byte_array_append (self->pending, &byte, 1);

      if (!self->discarding &&
          self->pending->len > TILL_SCAN_MAX_CODE_LENGTH + self->prefix->len + self->suffix->len)
        {
          g_byte_array_set_size (self->pending, 0);
          self->discarding = TRUE;
        }
    }
}

gint64
till_scan_framer_get_deadline_ms (TillScanFramer *self)
{
  g_return_val_if_fail (self != NULL, G_MAXINT64);

  if (self->pending->len == 0 && !self->discarding)
    return G_MAXINT64;
  return self->last_byte_ms + self->timeout_ms + 1;
}

guint
till_scan_framer_get_dropped (TillScanFramer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->dropped;
}

/* ---- The driver ------------------------------------------------------------ */

G_DEFINE_QUARK (till - serial - scanner - error - quark, till_serial_scanner_error)

/* What the worker shares with the main context; see till-camera-scanner.c. The
 * owner pointer is read and cleared in the creator's thread only. */
typedef struct
{
  gatomicrefcount    ref_count;
  TillSerialScanner *owner;
  GMainContext      *context;
} Channel;

struct _TillSerialScanner
{
  GObject parent_instance;

  char    *uri;
  char    *transport_uri;
  char    *prefix;
  char    *suffix;
  guint    gap_ms;
  Channel *channel;
  GThread *worker;
  gint     stopping; /* atomic */
  guint    dropped;  /* atomic */
  guint    generation;

  TillSerialScannerState state;
  char                  *error_message;
};

G_DEFINE_FINAL_TYPE (TillSerialScanner, till_serial_scanner, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum
{
  SIGNAL_CODE_SCANNED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint       signals[N_SIGNALS];

GType
till_serial_scanner_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { TILL_SERIAL_SCANNER_STATE_STOPPED, "TILL_SERIAL_SCANNER_STATE_STOPPED", "stopped" },
        { TILL_SERIAL_SCANNER_STATE_CONNECTING, "TILL_SERIAL_SCANNER_STATE_CONNECTING",
          "connecting" },
        { TILL_SERIAL_SCANNER_STATE_READY, "TILL_SERIAL_SCANNER_STATE_READY", "ready" },
        { TILL_SERIAL_SCANNER_STATE_DISCONNECTED, "TILL_SERIAL_SCANNER_STATE_DISCONNECTED",
          "disconnected" },
        { 0, NULL, NULL },
      };
      GType type =
          g_enum_register_static (g_intern_static_string ("TillSerialScannerState"), values);

      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

static Channel *
channel_ref (Channel *channel)
{
  g_atomic_ref_count_inc (&channel->ref_count);
  return channel;
}

static void
channel_unref (gpointer data)
{
  Channel *channel = data;

  if (!g_atomic_ref_count_dec (&channel->ref_count))
    return;
  g_main_context_unref (channel->context);
  g_free (channel);
}

typedef struct
{
  Channel               *channel;
  guint                  generation;
  gboolean               is_code;
  char                  *text; /* the code, or the error message */
  TillSerialScannerState state;
} Event;

static void
event_free (gpointer data)
{
  Event *event = data;

  channel_unref (event->channel);
  g_free (event->text);
  g_free (event);
}

static void
set_state (TillSerialScanner *self, TillSerialScannerState state, const char *error_message)
{
  if (self->state != state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
  if (g_strcmp0 (self->error_message, error_message) != 0)
    {
      g_free (self->error_message);
      self->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
}

static gboolean
dispatch_event_cb (gpointer data)
{
  Event             *event = data;
  TillSerialScanner *self = event->channel->owner;

  if (self == NULL || event->generation != self->generation)
    return G_SOURCE_REMOVE;
  if (event->is_code)
    g_signal_emit (self, signals[SIGNAL_CODE_SCANNED], 0, event->text);
  else
    set_state (self, event->state, event->text);
  return G_SOURCE_REMOVE;
}

/* An idle source, never g_main_context_invoke(): with no thread iterating the
 * context, that would run the callback here in the worker. */
static void
post_event (Channel               *channel,
            guint                  generation,
            gboolean               is_code,
            TillSerialScannerState state,
            const char            *text)
{
  Event   *event = g_new0 (Event, 1);
  GSource *source = g_idle_source_new ();

  event->channel = channel_ref (channel);
  event->generation = generation;
  event->is_code = is_code;
  event->state = state;
  event->text = g_strdup (text);
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, dispatch_event_cb, event, event_free);
  g_source_set_static_name (source, "[till] serial scanner event");
  g_source_attach (source, channel->context);
  g_source_unref (source);
}

typedef struct
{
  TillSerialScanner *self; /* alive until the worker is joined */
  Channel           *channel;
  guint              generation;
} Worker;

static gint64
now_ms (void)
{
  return g_get_monotonic_time () / G_TIME_SPAN_MILLISECOND;
}

/* Sleeps up to @ms in short steps; FALSE when asked to stop meanwhile. */
static gboolean
wait_unless_stopping (TillSerialScanner *self, guint ms)
{
  for (guint waited = 0; waited < ms; waited += 50)
    {
      if (g_atomic_int_get (&self->stopping))
        return FALSE;
      g_usleep (50 * G_TIME_SPAN_MILLISECOND);
    }
  return !g_atomic_int_get (&self->stopping);
}

static gpointer
worker_thread (gpointer data)
{
  Worker            *worker = data;
  TillSerialScanner *self = worker->self;
  g_autoptr (TillScanFramer) framer =
      till_scan_framer_new (self->prefix, self->suffix, self->gap_ms);
  g_autoptr (TillTransport) transport = NULL;
  g_autoptr (GPtrArray) codes = g_ptr_array_new_with_free_func (g_free);

  while (!g_atomic_int_get (&self->stopping))
    {
      g_autoptr (GError) error = NULL;
      guint8 buffer[256];
      gint64 deadline_ms;
      gint64 wait_ms;
      gssize n;

      if (transport == NULL)
        {
          transport = till_transport_open (self->transport_uri, &error);
          if (transport == NULL)
            {
              g_debug ("%s", error->message);
              post_event (worker->channel, worker->generation, FALSE,
                          TILL_SERIAL_SCANNER_STATE_DISCONNECTED, error->message);
              wait_unless_stopping (self, TILL_SERIAL_SCANNER_RETRY_MS);
              continue;
            }
          post_event (worker->channel, worker->generation, FALSE, TILL_SERIAL_SCANNER_STATE_READY,
                      NULL);
        }

      /* Wake for the inter-character timeout, and at least every 100 ms to see
       * whether stop() was called. */
      deadline_ms = till_scan_framer_get_deadline_ms (framer);
      wait_ms = CLAMP (deadline_ms - now_ms (), 1, 100);
      n = till_transport_read (transport, buffer, sizeof buffer, (guint) wait_ms, &error);
      if (n < 0)
        {
          g_debug ("%s", error->message);
          post_event (worker->channel, worker->generation, FALSE,
                      TILL_SERIAL_SCANNER_STATE_DISCONNECTED, error->message);
          till_transport_close (transport, NULL);
          g_clear_object (&transport);
          /* Whatever was half-read belongs to a scan that never finished. */
          till_scan_framer_check_timeout (framer, G_MAXINT64 / 2, codes);
          g_ptr_array_set_size (codes, 0);
          wait_unless_stopping (self, TILL_SERIAL_SCANNER_RETRY_MS);
          continue;
        }
      if (n > 0)
        till_scan_framer_feed (framer, buffer, (gsize) n, now_ms (), codes);
      till_scan_framer_check_timeout (framer, now_ms (), codes);
      for (guint i = 0; i < codes->len; i++)
        post_event (worker->channel, worker->generation, TRUE, 0, g_ptr_array_index (codes, i));
      g_ptr_array_set_size (codes, 0);
      g_atomic_int_set (&self->dropped, (gint) till_scan_framer_get_dropped (framer));
    }

  if (transport != NULL)
    till_transport_close (transport, NULL);
  channel_unref (worker->channel);
  g_free (worker);
  return NULL;
}

static void
join_worker (TillSerialScanner *self)
{
  if (self->worker == NULL)
    return;
  g_atomic_int_set (&self->stopping, 1);
  g_thread_join (g_steal_pointer (&self->worker));
  g_atomic_int_set (&self->stopping, 0);
  self->generation++;
}

static void
till_serial_scanner_dispose (GObject *object)
{
  TillSerialScanner *self = TILL_SERIAL_SCANNER (object);

  join_worker (self);
  if (self->channel != NULL)
    {
      self->channel->owner = NULL;
      g_clear_pointer (&self->channel, channel_unref);
    }

  G_OBJECT_CLASS (till_serial_scanner_parent_class)->dispose (object);
}

static void
till_serial_scanner_finalize (GObject *object)
{
  TillSerialScanner *self = TILL_SERIAL_SCANNER (object);

  g_free (self->uri);
  g_free (self->transport_uri);
  g_free (self->prefix);
  g_free (self->suffix);
  g_free (self->error_message);

  G_OBJECT_CLASS (till_serial_scanner_parent_class)->finalize (object);
}

static void
till_serial_scanner_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillSerialScanner *self = TILL_SERIAL_SCANNER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_serial_scanner_class_init (TillSerialScannerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_serial_scanner_dispose;
  object_class->finalize = till_serial_scanner_finalize;
  object_class->get_property = till_serial_scanner_get_property;

  properties[PROP_STATE] = g_param_spec_enum (
      "state", NULL, NULL, TILL_TYPE_SERIAL_SCANNER_STATE, TILL_SERIAL_SCANNER_STATE_STOPPED,
      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ERROR_MESSAGE] =
      g_param_spec_string ("error-message", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CODE_SCANNED] =
      g_signal_new ("code-scanned", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
till_serial_scanner_init (TillSerialScanner *self)
{
  self->channel = g_new0 (Channel, 1);
  g_atomic_ref_count_init (&self->channel->ref_count);
  self->channel->owner = self;
  self->channel->context = g_main_context_ref_thread_default ();
}

/* A percent-encoded byte string; NUL bytes cannot be part of a prefix or suffix. */
static char *
decode_bytes_setting (const char *key, const char *raw, const char *uri, GError **error)
{
  g_autoptr (GBytes) bytes = g_uri_unescape_bytes (raw, -1, NULL, NULL);
  gsize         len;
  const guint8 *data;

  if (bytes == NULL)
    {
      g_set_error (error, TILL_SERIAL_SCANNER_ERROR, TILL_SERIAL_SCANNER_ERROR_INVALID_URI,
                   "%s: %s=%s is not percent-encoded bytes", uri, key, raw);
      return NULL;
    }
  data = g_bytes_get_data (bytes, &len);
  if (memchr (data, '\0', len) != NULL || len > 16)
    {
      g_set_error (error, TILL_SERIAL_SCANNER_ERROR, TILL_SERIAL_SCANNER_ERROR_INVALID_URI,
                   "%s: %s=%s must be 1 to 16 bytes, none of them NUL", uri, key, raw);
      return NULL;
    }
  return g_strndup ((const char *) data, len);
}

/**
 * till_serial_scanner_new:
 * @uri: the device URI, e.g. serial:///dev/ttyUSB1?baud=9600&protocol=scanner&suffix=%0D
 *
 * Returns: (transfer full): a stopped scanner, or NULL with @error set
 */
TillSerialScanner *
till_serial_scanner_new (const char *uri, GError **error)
{
  g_autoptr (TillSerialScanner) self = NULL;
  g_autoptr (GUri) parsed = NULL;
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (GPtrArray) kept = g_ptr_array_new ();
  g_auto (GStrv) pairs = NULL;
  g_autofree char *kept_query = NULL;
  const char      *query;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED | G_URI_FLAGS_PARSE_RELAXED, &parse_error);
  if (parsed == NULL)
    {
      g_set_error (error, TILL_SERIAL_SCANNER_ERROR, TILL_SERIAL_SCANNER_ERROR_INVALID_URI,
                   "“%s” is not a device URI: %s", uri, parse_error->message);
      return NULL;
    }

  self = g_object_new (TILL_TYPE_SERIAL_SCANNER, NULL);
  self->uri = g_strdup (uri);
  self->suffix = g_strdup ("\r");
  self->gap_ms = TILL_SCAN_DEFAULT_TIMEOUT_MS;

  /* The raw query, split by hand: values stay exactly as written for the
   * transport, and the scanner's own byte settings are decoded here. */
  query = g_uri_get_query (parsed);
  pairs = g_strsplit (query != NULL ? query : "", "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      const char      *pair = pairs[i];
      const char      *equals = strchr (pair, '=');
      g_autofree char *key = equals ? g_strndup (pair, (gsize) (equals - pair)) : g_strdup (pair);
      const char      *value = equals ? equals + 1 : "";

      if (*pair == '\0')
        continue;
      if (g_str_equal (key, "protocol"))
        {
          if (!g_str_equal (value, "scanner"))
            {
              g_set_error (error, TILL_SERIAL_SCANNER_ERROR, TILL_SERIAL_SCANNER_ERROR_INVALID_URI,
                           "%s: protocol=%s is not a barcode scanner (protocol=scanner)", uri,
                           value);
              return NULL;
            }
        }
      else if (g_str_equal (key, "prefix"))
        {
          g_free (self->prefix);
          if ((self->prefix = decode_bytes_setting (key, value, uri, error)) == NULL)
            return NULL;
        }
      else if (g_str_equal (key, "suffix"))
        {
          g_free (self->suffix);
          if (g_ascii_strcasecmp (value, "none") == 0)
            self->suffix = g_strdup ("");
          else if ((self->suffix = decode_bytes_setting (key, value, uri, error)) == NULL)
            return NULL;
        }
      else if (g_str_equal (key, "gap"))
        {
          guint64 gap;

          if (!g_ascii_string_to_unsigned (value, 10, 1, 10000, &gap, NULL))
            {
              g_set_error (error, TILL_SERIAL_SCANNER_ERROR, TILL_SERIAL_SCANNER_ERROR_INVALID_URI,
                           "%s: gap=%s must be 1 to 10000 ms", uri, value);
              return NULL;
            }
          self->gap_ms = (guint) gap;
        }
      else
        g_ptr_array_add (kept, (gpointer) pair);
    }
  g_ptr_array_add (kept, NULL);
  kept_query = g_strjoinv ("&", (char **) kept->pdata);
  self->transport_uri =
      g_uri_join (G_URI_FLAGS_ENCODED, g_uri_get_scheme (parsed), g_uri_get_userinfo (parsed),
                  g_uri_get_host (parsed), g_uri_get_port (parsed), g_uri_get_path (parsed),
                  *kept_query != '\0' ? kept_query : NULL, g_uri_get_fragment (parsed));
  return g_steal_pointer (&self);
}

const char *
till_serial_scanner_get_uri (TillSerialScanner *self)
{
  g_return_val_if_fail (TILL_IS_SERIAL_SCANNER (self), NULL);
  return self->uri;
}

const char *
till_serial_scanner_get_transport_uri (TillSerialScanner *self)
{
  g_return_val_if_fail (TILL_IS_SERIAL_SCANNER (self), NULL);
  return self->transport_uri;
}

/**
 * till_serial_scanner_start:
 * The state goes to CONNECTING, then READY or DISCONNECTED (retried every
 * TILL_SERIAL_SCANNER_RETRY_MS).
 */
void
till_serial_scanner_start (TillSerialScanner *self)
{
  Worker *worker;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (TILL_IS_SERIAL_SCANNER (self));

  if (self->worker != NULL)
    return;
  worker = g_new0 (Worker, 1);
  worker->self = self;
  worker->channel = channel_ref (self->channel);
  worker->generation = self->generation;
  set_state (self, TILL_SERIAL_SCANNER_STATE_CONNECTING, NULL);
  self->worker = g_thread_try_new ("till-scanner", worker_thread, worker, &error);
  if (self->worker == NULL)
    {
      channel_unref (worker->channel);
      g_free (worker);
      set_state (self, TILL_SERIAL_SCANNER_STATE_DISCONNECTED, error->message);
    }
}

void
till_serial_scanner_stop (TillSerialScanner *self)
{
  g_return_if_fail (TILL_IS_SERIAL_SCANNER (self));

  join_worker (self);
  set_state (self, TILL_SERIAL_SCANNER_STATE_STOPPED, NULL);
}

TillSerialScannerState
till_serial_scanner_get_state (TillSerialScanner *self)
{
  g_return_val_if_fail (TILL_IS_SERIAL_SCANNER (self), TILL_SERIAL_SCANNER_STATE_STOPPED);
  return self->state;
}

const char *
till_serial_scanner_get_error_message (TillSerialScanner *self)
{
  g_return_val_if_fail (TILL_IS_SERIAL_SCANNER (self), NULL);
  return self->error_message;
}

guint
till_serial_scanner_get_dropped (TillSerialScanner *self)
{
  g_return_val_if_fail (TILL_IS_SERIAL_SCANNER (self), 0);
  return (guint) g_atomic_int_get (&self->dropped);
}
