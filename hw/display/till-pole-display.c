/* till-pole-display.c: the customer pole display (客显), one driver per protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-display"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-display-cd5220.h"
#include "till-display-epson.h"
#include "till-display-led8.h"
#include "till-pole-display-private.h"
#include "till-transport.h"

/* A posted state with its own copies of the strings. */
typedef struct
{
  TillPoleDisplayState state;
  char                *item_name;
  char                *item_name_ascii;
} PostedState;

struct _TillPoleDisplay
{
  GObject parent_instance;

  char                        *uri;
  char                        *transport_uri; /* the URI without the display's options */
  const TillPoleDisplayDriver *driver;
  TillPoleDisplayConfig        config;

  /* The device, opened on first use and dropped after a failure. */
  GMutex         io_lock;
  TillTransport *transport;

  /* till_pole_display_post(): one waiting state at most, written by worker. */
  GMutex        queue_lock;
  GCond         queue_cond;
  GThread      *worker;
  PostedState  *pending;
  gboolean      busy;
  gboolean      stopping;
  GMainContext *owner_context;
  char         *error_message; /* main context only */
  guint         n_written;     /* atomic */
  guint         n_superseded;  /* atomic */
};

G_DEFINE_FINAL_TYPE (TillPoleDisplay, till_pole_display, G_TYPE_OBJECT)

G_DEFINE_QUARK (till - pole - display - error - quark, till_pole_display_error)

enum
{
  PROP_0,
  PROP_ERROR_MESSAGE,
  N_PROPS,
};

static GParamSpec *properties[N_PROPS];

/* The display's own words, by TillPoleDisplayText. Pole displays sold in China
 * mostly carry only the PC437-style ASCII font, so English is the default:
 * it is what those displays show out of the box and what customers expect on
 * them; pinyin is there for shops that prefer it, Chinese for displays with a
 * GB2312 font. */
typedef enum
{
  WORD_TOTAL,
  WORD_PAID,
  WORD_CHANGE,
  WORD_WELCOME,
  WORD_THANKS,
  N_WORDS,
} Word;

static const char *const words[3][N_WORDS] = {
  [TILL_POLE_DISPLAY_TEXT_EN] = { "TOTAL", "PAID", "CHANGE", "WELCOME", "THANK YOU" },
  [TILL_POLE_DISPLAY_TEXT_PINYIN] = { "ZONGJI", "SHOUKUAN", "ZHAOLING", "HUANYING GUANGLIN",
                                      "XIEXIE GUANGLIN" },
  [TILL_POLE_DISPLAY_TEXT_ZH] = { "总计", "收款", "找零", "欢迎光临", "谢谢光临" },
};

/* ---- Commands and text ------------------------------------------------------ */

GByteArray *
_till_pole_display_command (GPtrArray *commands)
{
  GByteArray *command = g_byte_array_new ();

  g_ptr_array_add (commands, command);
  return command;
}

void
_till_pole_display_append (GByteArray *command, const char *bytes, gsize len)
{
  g_byte_array_append (command, (const guint8 *) bytes, (guint) len);
}

/* The two GB2312 bytes of @c, or FALSE when a GB2312 display cannot draw it. */
static gboolean
gb2312_bytes (gunichar c, guint8 out[2])
{
  char             utf8[8];
  gsize            written = 0;
  g_autofree char *encoded = NULL;
  int              len = g_unichar_to_utf8 (c, utf8);

  encoded = g_convert (utf8, len, "GB18030", "UTF-8", NULL, &written, NULL);
  if (encoded == NULL || written != 2)
    return FALSE;
  out[0] = (guint8) encoded[0];
  out[1] = (guint8) encoded[1];
  /* GB2312 is lead A1-F7, trail A1-FE; GBK's extra characters are not in the
   * fonts of these displays. */
  return out[0] >= 0xa1 && out[0] <= 0xf7 && out[1] >= 0xa1 && out[1] <= 0xfe;
}

/* Cells @c takes: 1 for printable ASCII, 2 for a Han character on a Chinese
 * display, 0 for what the display cannot draw (left out). */
static guint
char_width (const TillPoleDisplayConfig *config, gunichar c)
{
  guint8 gb[2];

  if (c >= 0x20 && c < 0x7f)
    return 1;
  if (config->text == TILL_POLE_DISPLAY_TEXT_ZH && gb2312_bytes (c, gb))
    return 2;
  return 0;
}

guint
_till_pole_display_text_width (const TillPoleDisplayConfig *config, const char *text)
{
  guint width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += char_width (config, g_utf8_get_char (p));
  return width;
}

void
_till_pole_display_append_text (const TillPoleDisplayConfig *config,
                                const char                  *text,
                                guint                        columns,
                                GByteArray                  *command)
{
  guint used = 0;

  if (!g_utf8_validate (text, -1, NULL))
    text = "";
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint    width = char_width (config, c);
      guint8   bytes[2];

      if (width == 0)
        continue;
      if (used + width > columns)
        break;
      if (width == 1)
        bytes[0] = (guint8) c;
      else
        gb2312_bytes (c, bytes);
      g_byte_array_append (command, bytes, width);
      used += width;
    }
  for (; used < columns; used++)
    g_byte_array_append (command, (const guint8 *) " ", 1);
}

/* "12.50", "-3.00": amounts as the display shows them, without a currency sign
 * (the ASCII fonts have no ￥). */
static char *
format_amount (gint64 fen)
{
  guint64 magnitude = fen < 0 ? (guint64) 0 - (guint64) fen : (guint64) fen;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u", fen < 0 ? "-" : "", magnitude / 100,
                          (guint) (magnitude % 100));
}

/* The first characters of @text that fit in @max_width cells. */
static GString *
fit_text (const TillPoleDisplayConfig *config, const char *text, guint max_width, guint *out_width)
{
  GString *fitted = g_string_new (NULL);
  guint    used = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      guint    width = char_width (config, c);

      if (width == 0)
        continue;
      if (used + width > max_width)
        break;
      g_string_append_unichar (fitted, c);
      used += width;
    }
  *out_width = used;
  return fitted;
}

/* @left at the start of the row, @right at its end; @left is cut to leave one
 * blank between them. */
static char *
row_left_right (const TillPoleDisplay *self, const char *left, const char *right)
{
  guint    columns = self->driver->columns;
  guint    right_width = _till_pole_display_text_width (&self->config, right);
  guint    left_width = 0;
  GString *row;

  if (right_width >= columns)
    return g_strdup (right);
  row = fit_text (&self->config, left, columns - MIN (right_width + 1, columns), &left_width);
  for (guint i = left_width; i + right_width < columns; i++)
    g_string_append_c (row, ' ');
  g_string_append (row, right);
  return g_string_free (row, FALSE);
}

static char *
row_centred (const TillPoleDisplay *self, const char *text)
{
  guint    width = 0;
  GString *fitted = fit_text (&self->config, text, self->driver->columns, &width);
  guint    pad = (self->driver->columns - width) / 2;

  for (guint i = 0; i < pad; i++)
    g_string_prepend_c (fitted, ' ');
  return g_string_free (fitted, FALSE);
}

static const char *
word (const TillPoleDisplay *self, Word which)
{
  return words[self->config.text][which];
}

/* What a VFD row shows for @state (rows count from 1). */
static char *
format_vfd_row (const TillPoleDisplay *self, const TillPoleDisplayState *state, guint row)
{
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  const char      *name;

  switch (state->screen)
    {
    case TILL_POLE_DISPLAY_SCREEN_CLEAR:
      return g_strdup ("");
    case TILL_POLE_DISPLAY_SCREEN_WELCOME:
      return row == 1 ? row_centred (self, word (self, WORD_WELCOME)) : g_strdup ("");
    case TILL_POLE_DISPLAY_SCREEN_THANKS:
      return row == 1 ? row_centred (self, word (self, WORD_THANKS)) : g_strdup ("");
    case TILL_POLE_DISPLAY_SCREEN_ITEM:
      name = state->item_name;
      if (self->config.text != TILL_POLE_DISPLAY_TEXT_ZH && state->item_name_ascii != NULL)
        name = state->item_name_ascii;
      if (row == 1)
        {
          first = format_amount (state->item_price);
          return row_left_right (self, name != NULL ? name : "", first);
        }
      second = format_amount (state->total);
      return row_left_right (self, word (self, WORD_TOTAL), second);
    case TILL_POLE_DISPLAY_SCREEN_TOTAL:
      if (row == 2)
        return g_strdup ("");
      first = format_amount (state->total);
      return row_left_right (self, word (self, WORD_TOTAL), first);
    case TILL_POLE_DISPLAY_SCREEN_PAID:
      if (row == 1)
        {
          first = format_amount (state->total);
          return row_left_right (self, word (self, WORD_TOTAL), first);
        }
      second = format_amount (state->paid);
      return row_left_right (self, word (self, WORD_PAID), second);
    case TILL_POLE_DISPLAY_SCREEN_CHANGE:
      if (row == 1)
        {
          first = format_amount (state->paid);
          return row_left_right (self, word (self, WORD_PAID), first);
        }
      second = format_amount (state->change);
      return row_left_right (self, word (self, WORD_CHANGE), second);
    default:
      g_return_val_if_reached (g_strdup (""));
    }
}

/* The LED's number and lamps for @state; FALSE when it shows nothing. */
static gboolean
led_number_for_state (const TillPoleDisplayState *state,
                      gint64                     *out_fen,
                      TillPoleDisplayLamps       *out_lamps)
{
  switch (state->screen)
    {
    case TILL_POLE_DISPLAY_SCREEN_ITEM:
      *out_fen = state->item_price;
      *out_lamps = TILL_POLE_DISPLAY_LAMP_PRICE;
      return TRUE;
    case TILL_POLE_DISPLAY_SCREEN_TOTAL:
      *out_fen = state->total;
      *out_lamps = TILL_POLE_DISPLAY_LAMP_TOTAL;
      return TRUE;
    case TILL_POLE_DISPLAY_SCREEN_PAID:
      *out_fen = state->paid;
      *out_lamps = TILL_POLE_DISPLAY_LAMP_PAID;
      return TRUE;
    case TILL_POLE_DISPLAY_SCREEN_CHANGE:
      *out_fen = state->change;
      *out_lamps = TILL_POLE_DISPLAY_LAMP_CHANGE;
      return TRUE;
    case TILL_POLE_DISPLAY_SCREEN_CLEAR:
    case TILL_POLE_DISPLAY_SCREEN_WELCOME:
    case TILL_POLE_DISPLAY_SCREEN_THANKS:
    default:
      return FALSE;
    }
}

/* Digits for the LED: '0'-'9', '.', '-', at most 8 digit places ('.' lights
 * the point of the digit before it, '-' takes a place). */
static gboolean
check_led_digits (TillPoleDisplay *self, const char *digits, GError **error)
{
  guint places = 0;

  for (const char *p = digits; *p != '\0'; p++)
    {
      if (!g_ascii_isdigit (*p) && *p != '.' && *p != '-')
        {
          g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_NOT_SUPPORTED,
                       _ ("The display %s shows only digits, “.” and “-”, not “%s”"), self->uri,
                       digits);
          return FALSE;
        }
      if (*p != '.')
        places++;
    }
  if (places > self->driver->columns || strlen (digits) > 15)
    {
      g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_TOO_LONG,
                   _ ("“%s” does not fit on the %u digits of the display %s"), digits,
                   self->driver->columns, self->uri);
      return FALSE;
    }
  return TRUE;
}

/* ---- The device -------------------------------------------------------------- */

static gboolean
write_commands_locked (TillPoleDisplay *self, GPtrArray *commands, GError **error)
{
  g_autoptr (GByteArray) joined = g_byte_array_new ();

  if (self->config.gap_ms == 0)
    {
      /* One write: the fewest system calls, and no half-drawn state. */
      for (guint i = 0; i < commands->len; i++)
        {
          GByteArray *command = g_ptr_array_index (commands, i);
          g_byte_array_append (joined, command->data, command->len);
        }
      return till_transport_write_all (self->transport, joined->data, joined->len, error);
    }
  for (guint i = 0; i < commands->len; i++)
    {
      GByteArray *command = g_ptr_array_index (commands, i);

      if (i > 0)
        g_usleep ((gulong) self->config.gap_ms * 1000);
      if (!till_transport_write_all (self->transport, command->data, command->len, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
open_locked (TillPoleDisplay *self, GError **error)
{
  g_autoptr (GPtrArray) commands = NULL;
  g_autoptr (TillTransport) transport = NULL;

  if (self->transport != NULL)
    return TRUE;
  transport = till_transport_open (self->transport_uri, error);
  if (transport == NULL)
    return FALSE;
  self->transport = g_steal_pointer (&transport);

  commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  self->driver->encode_init (&self->config, commands);
  if (self->config.brightness != 0 && self->driver->encode_brightness != NULL)
    self->driver->encode_brightness (&self->config, self->config.brightness, commands);
  if (!write_commands_locked (self, commands, error))
    {
      till_transport_close (self->transport, NULL);
      g_clear_object (&self->transport);
      return FALSE;
    }
  return TRUE;
}

/* Opens the device if needed and writes @commands; after a failure the device
 * is dropped, so that the next call opens it afresh (a display plugged back in
 * is found again). */
static gboolean
send (TillPoleDisplay *self, GPtrArray *commands, GError **error)
{
  gboolean ok;

  g_mutex_lock (&self->io_lock);
  ok = open_locked (self, error) && write_commands_locked (self, commands, error);
  if (!ok && self->transport != NULL)
    {
      till_transport_close (self->transport, NULL);
      g_clear_object (&self->transport);
    }
  g_mutex_unlock (&self->io_lock);
  if (!ok)
    g_debug ("%s: %s", self->uri, error != NULL && *error != NULL ? (*error)->message : "failed");
  return ok;
}

static GPtrArray *
new_commands (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
}

static gboolean
not_supported (TillPoleDisplay *self, const char *what, GError **error)
{
  g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_NOT_SUPPORTED,
               _ ("The display %s (%s) cannot %s"), self->uri, self->driver->name, what);
  return FALSE;
}

/* ---- The URI ------------------------------------------------------------------- */

static gboolean
parse_uint_option (
    const char *key, const char *value, guint min, guint max, guint *out, GError **error)
{
  guint64 parsed = 0;

  if (!g_ascii_string_to_unsigned (value, 10, min, max, &parsed, NULL))
    {
      g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_URI,
                   _ ("The display option %s must be a number from %u to %u, not “%s”"), key, min,
                   max, value);
      return FALSE;
    }
  *out = (guint) parsed;
  return TRUE;
}

static gboolean
parse_option (TillPoleDisplay *self, const char *key, const char *value, GError **error)
{
  static const struct
  {
    const char             *name;
    TillPoleDisplayLedModel model;
  } models[] = {
    { "generic", TILL_POLE_DISPLAY_LED_GENERIC }, { "pd1800a", TILL_POLE_DISPLAY_LED_PD1800A },
    { "hisense", TILL_POLE_DISPLAY_LED_HISENSE }, { "partner", TILL_POLE_DISPLAY_LED_PARTNER },
    { "ejeton", TILL_POLE_DISPLAY_LED_EJETON },   { "led8n", TILL_POLE_DISPLAY_LED_LED8N },
  };

  if (g_str_equal (key, "protocol"))
    {
      if (g_str_equal (value, "led8"))
        self->driver = &_till_display_led8_driver;
      else if (g_str_equal (value, "cd5220"))
        self->driver = &_till_display_cd5220_driver;
      else if (g_str_equal (value, "epson"))
        self->driver = &_till_display_epson_driver;
      else
        goto bad_value;
      self->config.protocol =
          self->driver == &_till_display_led8_driver     ? TILL_POLE_DISPLAY_PROTOCOL_LED8
          : self->driver == &_till_display_cd5220_driver ? TILL_POLE_DISPLAY_PROTOCOL_CD5220
                                                         : TILL_POLE_DISPLAY_PROTOCOL_EPSON;
      return TRUE;
    }
  if (g_str_equal (key, "model"))
    {
      for (guint i = 0; i < G_N_ELEMENTS (models); i++)
        if (g_str_equal (value, models[i].name))
          {
            self->config.led_model = models[i].model;
            /* The PD1800A drops commands that follow each other too fast; its
             * vendor driver waits 100 ms (DEVICES.md §4.1). */
            if (models[i].model == TILL_POLE_DISPLAY_LED_PD1800A && self->config.gap_ms == 0)
              self->config.gap_ms = 100;
            return TRUE;
          }
      goto bad_value;
    }
  if (g_str_equal (key, "text"))
    {
      if (g_str_equal (value, "en"))
        self->config.text = TILL_POLE_DISPLAY_TEXT_EN;
      else if (g_str_equal (value, "pinyin"))
        self->config.text = TILL_POLE_DISPLAY_TEXT_PINYIN;
      else if (g_str_equal (value, "zh"))
        self->config.text = TILL_POLE_DISPLAY_TEXT_ZH;
      else
        goto bad_value;
      return TRUE;
    }
  if (g_str_equal (key, "gap"))
    return parse_uint_option (key, value, 0, 2000, &self->config.gap_ms, error);
  if (g_str_equal (key, "brightness"))
    return parse_uint_option (key, value, 1, 4, &self->config.brightness, error);
  g_assert_not_reached ();

bad_value:
  g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_URI,
               _ ("Unknown display %s “%s” in %s"), key, value, self->uri);
  return FALSE;
}

/* Splits the display's options off the URI's query; the rest is the transport's. */
static gboolean
parse_uri (TillPoleDisplay *self, GError **error)
{
  static const char *const display_keys[] = { "protocol", "model", "text", "gap", "brightness" };
  g_autoptr (GUri) parsed = NULL;
  g_autoptr (GString) transport_query = g_string_new (NULL);
  g_auto (GStrv) params = NULL;
  g_autoptr (GError) parse_error = NULL;
  const char *query;

  parsed =
      g_uri_parse (self->uri, G_URI_FLAGS_ENCODED_QUERY | G_URI_FLAGS_PARSE_RELAXED, &parse_error);
  if (parsed == NULL)
    {
      g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_URI,
                   _ ("“%s” is not a device URI: %s"), self->uri, parse_error->message);
      return FALSE;
    }
  query = g_uri_get_query (parsed);
  params = g_strsplit (query != NULL ? query : "", "&", -1);
  for (guint i = 0; params[i] != NULL; i++)
    {
      const char      *eq = strchr (params[i], '=');
      g_autofree char *key = eq != NULL ? g_strndup (params[i], eq - params[i]) : NULL;
      g_autofree char *value = NULL;
      gboolean         ours = FALSE;

      if (params[i][0] == '\0')
        continue;
      for (guint k = 0; key != NULL && k < G_N_ELEMENTS (display_keys); k++)
        ours = ours || g_str_equal (key, display_keys[k]);
      if (!ours)
        {
          g_string_append_printf (transport_query, "%s%s", transport_query->len > 0 ? "&" : "",
                                  params[i]);
          continue;
        }
      value = g_uri_unescape_string (eq + 1, NULL);
      if (value == NULL || !parse_option (self, key, value, error))
        {
          if (value == NULL)
            g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_URI,
                         _ ("Malformed option %s in %s"), key, self->uri);
          return FALSE;
        }
    }
  if (self->driver == NULL)
    {
      g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_URI,
                   _ ("The display URI %s names no protocol (protocol=led8, cd5220 or epson)"),
                   self->uri);
      return FALSE;
    }
  {
    g_autoptr (GUri) transport = g_uri_build (
        g_uri_get_flags (parsed), g_uri_get_scheme (parsed), g_uri_get_userinfo (parsed),
        g_uri_get_host (parsed), g_uri_get_port (parsed), g_uri_get_path (parsed),
        transport_query->len > 0 ? transport_query->str : NULL, g_uri_get_fragment (parsed));
    self->transport_uri = g_uri_to_string (transport);
  }
  return TRUE;
}

/* ---- The post queue ------------------------------------------------------------ */

static void
posted_state_free (PostedState *posted)
{
  g_free (posted->item_name);
  g_free (posted->item_name_ascii);
  g_free (posted);
}

typedef struct
{
  TillPoleDisplay *self;
  char            *message;
} ErrorUpdate;

static gboolean
set_error_message_cb (gpointer data)
{
  ErrorUpdate *update = data;

  if (g_strcmp0 (update->self->error_message, update->message) != 0)
    {
      /* Said once per new trouble, not once per update. */
      if (update->message != NULL)
        g_message ("%s", update->message);
      g_free (update->self->error_message);
      update->self->error_message = g_steal_pointer (&update->message);
      g_object_notify_by_pspec (G_OBJECT (update->self), properties[PROP_ERROR_MESSAGE]);
    }
  return G_SOURCE_REMOVE;
}

static void
error_update_free (gpointer data)
{
  ErrorUpdate *update = data;

  g_object_unref (update->self);
  g_free (update->message);
  g_free (update);
}

static gpointer
worker_thread (gpointer data)
{
  TillPoleDisplay *self = data;

  g_mutex_lock (&self->queue_lock);
  for (;;)
    {
      g_autoptr (GError) error = NULL;
      PostedState *posted;
      ErrorUpdate *update;
      gboolean     ok;

      while (self->pending == NULL && !self->stopping)
        g_cond_wait (&self->queue_cond, &self->queue_lock);
      if (self->stopping)
        break;
      posted = g_steal_pointer (&self->pending);
      self->busy = TRUE;
      g_mutex_unlock (&self->queue_lock);

      ok = till_pole_display_show (self, &posted->state, &error);
      posted_state_free (posted);
      if (ok)
        g_atomic_int_inc (&self->n_written);

      /* The message goes to the owner's main context, which alone reads it. */
      update = g_new0 (ErrorUpdate, 1);
      update->self = g_object_ref (self);
      update->message = ok ? NULL : g_strdup (error->message);
      g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT, set_error_message_cb,
                                  update, error_update_free);

      g_mutex_lock (&self->queue_lock);
      self->busy = FALSE;
      g_cond_broadcast (&self->queue_cond);
    }
  g_mutex_unlock (&self->queue_lock);
  return NULL;
}

/* ---- GObject --------------------------------------------------------------------- */

static void
till_pole_display_dispose (GObject *object)
{
  TillPoleDisplay *self = TILL_POLE_DISPLAY (object);

  if (self->worker != NULL)
    {
      g_mutex_lock (&self->queue_lock);
      self->stopping = TRUE;
      g_cond_broadcast (&self->queue_cond);
      g_mutex_unlock (&self->queue_lock);
      g_thread_join (g_steal_pointer (&self->worker));
    }
  g_mutex_lock (&self->io_lock);
  if (self->transport != NULL)
    till_transport_close (self->transport, NULL);
  g_clear_object (&self->transport);
  g_mutex_unlock (&self->io_lock);

  G_OBJECT_CLASS (till_pole_display_parent_class)->dispose (object);
}

static void
till_pole_display_finalize (GObject *object)
{
  TillPoleDisplay *self = TILL_POLE_DISPLAY (object);

  g_clear_pointer (&self->pending, posted_state_free);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_free (self->error_message);
  g_free (self->uri);
  g_free (self->transport_uri);
  g_mutex_clear (&self->io_lock);
  g_mutex_clear (&self->queue_lock);
  g_cond_clear (&self->queue_cond);

  G_OBJECT_CLASS (till_pole_display_parent_class)->finalize (object);
}

static void
till_pole_display_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillPoleDisplay *self = TILL_POLE_DISPLAY (object);

  switch (prop_id)
    {
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_pole_display_class_init (TillPoleDisplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = till_pole_display_dispose;
  object_class->finalize = till_pole_display_finalize;
  object_class->get_property = till_pole_display_get_property;

  /* Why the last posted update failed, for a banner; NULL when it worked. */
  properties[PROP_ERROR_MESSAGE] =
      g_param_spec_string ("error-message", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
till_pole_display_init (TillPoleDisplay *self)
{
  g_mutex_init (&self->io_lock);
  g_mutex_init (&self->queue_lock);
  g_cond_init (&self->queue_cond);
}

/* ---- Public API -------------------------------------------------------------------- */

/**
 * till_pole_display_new:
 * Checks @uri (a transport URI with protocol=… and the display options in its
 * query) without opening the device.
 */
TillPoleDisplay *
till_pole_display_new (const char *uri, GError **error)
{
  g_autoptr (TillPoleDisplay) self = NULL;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (TILL_TYPE_POLE_DISPLAY, NULL);
  self->uri = g_strdup (uri);
  self->owner_context = g_main_context_ref_thread_default ();
  if (!parse_uri (self, error))
    return NULL;
  if (self->config.text == TILL_POLE_DISPLAY_TEXT_ZH && self->driver->rows == 1)
    self->config.text = TILL_POLE_DISPLAY_TEXT_EN; /* the LED has no letters at all */
  return g_steal_pointer (&self);
}

const char *
till_pole_display_get_uri (TillPoleDisplay *self)
{
  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), NULL);

  return self->uri;
}

TillPoleDisplayProtocol
till_pole_display_get_protocol (TillPoleDisplay *self)
{
  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), TILL_POLE_DISPLAY_PROTOCOL_LED8);

  return self->config.protocol;
}

guint
till_pole_display_get_columns (TillPoleDisplay *self)
{
  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), 0);

  return self->driver->columns;
}

guint
till_pole_display_get_rows (TillPoleDisplay *self)
{
  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), 0);

  return self->driver->rows;
}

/**
 * till_pole_display_open:
 * Opens the device and resets it (blocking). Every write does this when needed;
 * calling it first tells whether the display is there.
 */
gboolean
till_pole_display_open (TillPoleDisplay *self, GError **error)
{
  gboolean ok;

  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->io_lock);
  ok = open_locked (self, error);
  g_mutex_unlock (&self->io_lock);
  return ok;
}

gboolean
till_pole_display_close (TillPoleDisplay *self, GError **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->io_lock);
  if (self->transport != NULL)
    ok = till_transport_close (self->transport, error);
  g_clear_object (&self->transport);
  g_mutex_unlock (&self->io_lock);
  return ok;
}

/**
 * till_pole_display_format_row:
 * The UTF-8 text row @row (1 or 2) of a text display shows for @state; on the
 * LED (one row), the digits.
 */
char *
till_pole_display_format_row (TillPoleDisplay *self, const TillPoleDisplayState *state, guint row)
{
  gint64               fen = 0;
  TillPoleDisplayLamps lamps;

  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), NULL);
  g_return_val_if_fail (state != NULL, NULL);
  g_return_val_if_fail (row >= 1 && row <= self->driver->rows, NULL);

  if (self->driver->rows == 1)
    return led_number_for_state (state, &fen, &lamps) ? format_amount (fen) : g_strdup ("");
  return format_vfd_row (self, state, row);
}

/**
 * till_pole_display_show:
 * Shows @state (blocking): on the LED its one amount with its lamp, on a VFD
 * two rows of text.
 */
gboolean
till_pole_display_show (TillPoleDisplay *self, const TillPoleDisplayState *state, GError **error)
{
  g_autoptr (GPtrArray) commands = new_commands ();
  gint64               fen = 0;
  TillPoleDisplayLamps lamps = TILL_POLE_DISPLAY_LAMP_NONE;

  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), FALSE);
  g_return_val_if_fail (state != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (state->screen == TILL_POLE_DISPLAY_SCREEN_CLEAR)
    return till_pole_display_clear (self, error);
  if (self->driver->rows == 1)
    {
      g_autofree char *digits = NULL;

      if (!led_number_for_state (state, &fen, &lamps))
        return till_pole_display_clear (self, error);
      digits = format_amount (fen);
      if (!check_led_digits (self, digits, error) ||
          !self->driver->encode_number (&self->config, digits, lamps, commands, error))
        return FALSE;
    }
  else
    {
      for (guint row = 1; row <= self->driver->rows; row++)
        {
          g_autofree char *text = format_vfd_row (self, state, row);
          self->driver->encode_row (&self->config, row, text, commands);
        }
    }
  return send (self, commands, error);
}

gboolean
till_pole_display_clear (TillPoleDisplay *self, GError **error)
{
  g_autoptr (GPtrArray) commands = new_commands ();

  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  self->driver->encode_clear (&self->config, commands);
  return send (self, commands, error);
}

/**
 * till_pole_display_write_line:
 * Writes @text on row @row, padded or cut to the row's width. The LED takes
 * only digits, '.' and '-' (and lights no lamp).
 */
gboolean
till_pole_display_write_line (TillPoleDisplay *self, guint row, const char *text, GError **error)
{
  g_autoptr (GPtrArray) commands = new_commands ();

  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), FALSE);
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (row < 1 || row > self->driver->rows)
    {
      g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_NOT_SUPPORTED,
                   _ ("The display %s has no row %u"), self->uri, row);
      return FALSE;
    }
  if (self->driver->encode_row == NULL)
    {
      if (!check_led_digits (self, text, error) ||
          !self->driver->encode_number (&self->config, text, TILL_POLE_DISPLAY_LAMP_NONE, commands,
                                        error))
        return FALSE;
    }
  else
    self->driver->encode_row (&self->config, row, text, commands);
  return send (self, commands, error);
}

gboolean
till_pole_display_show_number (TillPoleDisplay     *self,
                               gint64               fen,
                               TillPoleDisplayLamps lamps,
                               GError             **error)
{
  g_autoptr (GPtrArray) commands = new_commands ();
  g_autofree char *digits = NULL;

  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->driver->encode_number == NULL)
    return not_supported (self, _ ("light lamps"), error);
  digits = format_amount (fen);
  if (!check_led_digits (self, digits, error) ||
      !self->driver->encode_number (&self->config, digits, lamps, commands, error))
    return FALSE;
  return send (self, commands, error);
}

gboolean
till_pole_display_set_cursor (
    TillPoleDisplay *self, guint column, guint row, gboolean visible, GError **error)
{
  g_autoptr (GPtrArray) commands = new_commands ();

  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->driver->encode_cursor == NULL)
    return not_supported (self, _ ("move a cursor"), error);
  if (column < 1 || column > self->driver->columns || row < 1 || row > self->driver->rows)
    {
      g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_NOT_SUPPORTED,
                   _ ("The display %s has no column %u in row %u"), self->uri, column, row);
      return FALSE;
    }
  self->driver->encode_cursor (&self->config, column, row, visible, commands);
  return send (self, commands, error);
}

gboolean
till_pole_display_set_brightness (TillPoleDisplay *self, guint level, GError **error)
{
  g_autoptr (GPtrArray) commands = new_commands ();

  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->driver->encode_brightness == NULL)
    return not_supported (self, _ ("change its brightness"), error);
  if (level < 1 || level > 4)
    {
      g_set_error (error, TILL_POLE_DISPLAY_ERROR, TILL_POLE_DISPLAY_ERROR_NOT_SUPPORTED,
                   _ ("Brightness goes from 1 to 4, not %u"), level);
      return FALSE;
    }
  self->driver->encode_brightness (&self->config, level, commands);
  return send (self, commands, error);
}

/**
 * till_pole_display_post:
 * Queues @state (copied) for the display's thread and returns at once; a newer
 * post replaces one still waiting.
 */
void
till_pole_display_post (TillPoleDisplay *self, const TillPoleDisplayState *state)
{
  PostedState *posted;

  g_return_if_fail (TILL_IS_POLE_DISPLAY (self));
  g_return_if_fail (state != NULL);

  posted = g_new0 (PostedState, 1);
  posted->state = *state;
  posted->item_name = g_strdup (state->item_name);
  posted->item_name_ascii = g_strdup (state->item_name_ascii);
  posted->state.item_name = posted->item_name;
  posted->state.item_name_ascii = posted->item_name_ascii;

  g_mutex_lock (&self->queue_lock);
  if (self->pending != NULL)
    {
      posted_state_free (self->pending);
      g_atomic_int_inc (&self->n_superseded);
    }
  self->pending = posted;
  if (self->worker == NULL)
    self->worker = g_thread_new ("till-pole-display", worker_thread, self);
  g_cond_broadcast (&self->queue_cond);
  g_mutex_unlock (&self->queue_lock);
}

const char *
till_pole_display_get_error_message (TillPoleDisplay *self)
{
  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), NULL);

  return self->error_message;
}

guint
till_pole_display_get_n_written (TillPoleDisplay *self)
{
  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), 0);

  return (guint) g_atomic_int_get (&self->n_written);
}

guint
till_pole_display_get_n_superseded (TillPoleDisplay *self)
{
  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), 0);

  return (guint) g_atomic_int_get (&self->n_superseded);
}

gboolean
till_pole_display_wait_idle (TillPoleDisplay *self, guint timeout_ms)
{
  gint64   deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean idle;

  g_return_val_if_fail (TILL_IS_POLE_DISPLAY (self), FALSE);

  g_mutex_lock (&self->queue_lock);
  while (!(idle = self->pending == NULL && !self->busy))
    if (!g_cond_wait_until (&self->queue_cond, &self->queue_lock, deadline))
      {
        idle = self->pending == NULL && !self->busy;
        break;
      }
  g_mutex_unlock (&self->queue_lock);
  return idle;
}
