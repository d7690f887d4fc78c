/* till-sim-devices.c: the sim:// transport, every simulated device in process
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sim"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "till-display-sim.h"
#include "till-scale-sim.h"
#include "till-sim-devices.h"
#include "till-sim-private.h"
#include "till-transport.h"

/* The scheme has one backend: it hands each URI to the device its host names
 * and keeps that device's ops beside its state. */
typedef struct
{
  const TillTransportBackend *ops;
  gpointer                    state;
} SimDevice;

static gboolean
parse_query (GUri *uri, GHashTable **out_params, GError **error)
{
  const char *query = g_uri_get_query (uri);
  g_autoptr (GError) parse_error = NULL;

  if (query == NULL)
    {
      *out_params = g_hash_table_new (g_str_hash, g_str_equal);
      return TRUE;
    }
  *out_params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, &parse_error);
  if (*out_params == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Bad parameters: %s",
                   parse_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_absolute (const char *key, const char *path, GError **error)
{
  if (path != NULL && !g_path_is_absolute (path))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s= must be an absolute path, not “%s”", key, path);
      return FALSE;
    }
  return TRUE;
}

/* ---- sim://scale ---------------------------------------------------------------- */

typedef struct
{
  TillScaleSim *sim;
  gint64        default_grams; /* weight= */
  char         *control;       /* NULL: weight= for good */
} ScaleState;

static const char *const condition_names[] = { "stable", "unstable", "overload", "underload" };

/* What the control file says lies on the platter: FALSE when it says nothing
 * that parses (missing and empty files are the weight= value, not errors). */
static gboolean
read_control (ScaleState *state, gint64 *out_grams, TillScaleSimCondition *out_condition)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) words = NULL;
  g_autoptr (GError) error = NULL;
  guint n_words;

  *out_grams = state->default_grams;
  *out_condition = TILL_SCALE_SIM_STABLE;
  if (!g_file_get_contents (state->control, &contents, NULL, &error))
    {
      if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_debug ("%s: %s", state->control, error->message);
      return FALSE;
    }
  words = g_strsplit_set (g_strstrip (contents), " \t\r\n", -1);
  n_words = 0;
  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      words[n_words++] = words[i];
    else
      g_free (words[i]);
  words[n_words] = NULL;
  if (n_words == 0)
    return TRUE;
  if (n_words > 2 || !till_sim_parse_weight (words[0], out_grams))
    {
      g_debug ("%s: not a weight: “%s”", state->control, contents);
      return FALSE;
    }
  if (n_words == 2)
    {
      guint i;

      for (i = 0; i < G_N_ELEMENTS (condition_names); i++)
        if (g_ascii_strcasecmp (words[1], condition_names[i]) == 0)
          break;
      if (i == G_N_ELEMENTS (condition_names))
        {
          g_debug ("%s: no condition “%s”", state->control, words[1]);
          return FALSE;
        }
      *out_condition = (TillScaleSimCondition) i;
    }
  return TRUE;
}

/* Re-read before every exchange, so what the file says is what the next
 * frame weighs. */
static void
apply_control (ScaleState *state)
{
  gint64                grams;
  TillScaleSimCondition condition;

  if (state->control == NULL || !read_control (state, &grams, &condition))
    return;
  till_scale_sim_set_weight (state->sim, grams);
  till_scale_sim_set_condition (state->sim, condition);
}

static void
scale_free (gpointer data)
{
  ScaleState *state = data;

  g_clear_pointer (&state->sim, till_scale_sim_free);
  g_free (state->control);
  g_free (state);
}

static gpointer
scale_open (GUri *uri, GError **error)
{
  static const char *const sim_options[] = { "mode", "variant" };
  g_autoptr (GHashTable) params = NULL;
  g_autoptr (GString) options = g_string_new (NULL);
  const char *protocol;
  const char *weight;
  const char *control;
  ScaleState *state;

  if (!parse_query (uri, &params, error))
    return NULL;
  protocol = g_hash_table_lookup (params, "protocol");
  weight = g_hash_table_lookup (params, "weight");
  control = g_hash_table_lookup (params, "control");
  if (protocol == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "A simulated scale needs its protocol, as "
                           "sim://scale?protocol=toledo-8217");
      return NULL;
    }
  if (!check_absolute ("control", control, error))
    return NULL;

  state = g_new0 (ScaleState, 1);
  if (weight != NULL && !till_sim_parse_weight (weight, &state->default_grams))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "weight= is kilograms with up to three decimals (0.456), not “%s”", weight);
      scale_free (state);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (sim_options); i++)
    {
      const char *value = g_hash_table_lookup (params, sim_options[i]);

      if (value != NULL)
        g_string_append_printf (options, "%s%s=%s", options->len > 0 ? "&" : "", sim_options[i],
                                value);
    }
  state->sim =
      till_scale_sim_new_in_process (protocol, options->len > 0 ? options->str : NULL, error);
  if (state->sim == NULL)
    {
      scale_free (state);
      return NULL;
    }
  state->control = g_strdup (control);
  till_scale_sim_set_weight (state->sim, state->default_grams);
  apply_control (state);
  return state;
}

static gboolean
scale_write_all (gpointer data, const guint8 *bytes, gsize len, GError **error)
{
  ScaleState *state = data;

  apply_control (state);
  return till_scale_sim_receive (state->sim, bytes, len, error);
}

static gssize
scale_read (gpointer data, guint8 *buffer, gsize len, guint timeout_ms, GError **error)
{
  ScaleState *state = data;

  apply_control (state);
  return till_scale_sim_transmit (state->sim, buffer, len, timeout_ms, error);
}

static gboolean
scale_close (gpointer data, GError **error)
{
  return TRUE;
}

static const TillTransportBackend scale_backend = {
  .scheme = "sim",
  .open = scale_open,
  .write_all = scale_write_all,
  .read = scale_read,
  .close = scale_close,
  .free = scale_free,
};

/* ---- sim://display -------------------------------------------------------------- */

/* The displays the bytes may be meant for, in the order a tie goes. */
static const struct
{
  const char *protocol;
  const char *model;
} display_kinds[] = {
  { "led8", "generic" }, { "led8", "hisense" }, { "led8", "partner" }, { "led8", "ejeton" },
  { "led8", "led8n" },   { "cd5220", NULL },    { "epson", NULL },
};

typedef struct
{
  GPtrArray *sims;      /* TillDisplaySim, decoding the same bytes */
  GPtrArray *protocols; /* const char *, the protocol of each */
  guint      shown;     /* the one the bytes make most sense to */
  char      *dir;       /* NULL: no pictures */
} DisplayState;

static void
display_free (gpointer data)
{
  DisplayState *state = data;

  g_ptr_array_unref (state->sims);
  g_ptr_array_unref (state->protocols);
  g_free (state->dir);
  g_free (state);
}

static char *
describe_display (TillDisplaySim *sim, const char *protocol)
{
  static const char *const lamp_names[] = { "price", "total", "paid", "change" };
  GString                 *text = g_string_new (protocol);

  g_string_append_c (text, '\n');
  if (g_str_equal (protocol, "led8"))
    {
      g_autofree char *digits = till_display_sim_dup_digits (sim);
      guint            lamps = till_display_sim_get_lamps (sim);
      gboolean         first = TRUE;

      g_string_append_printf (text, "%s\n", digits);
      for (guint i = 0; i < G_N_ELEMENTS (lamp_names); i++)
        if (lamps & (1u << i))
          {
            g_string_append_printf (text, "%s%s", first ? "" : " ", lamp_names[i]);
            first = FALSE;
          }
      g_string_append_c (text, '\n');
    }
  else
    for (guint row = 1; row <= 2; row++)
      {
        g_autofree char *cells = till_display_sim_dup_row (sim, row);

        g_string_append_printf (text, "%s\n", cells);
      }
  return g_string_free (text, FALSE);
}

/* DIR/display.png and DIR/display.txt, each replaced in one rename, so a
 * viewer never sees half a picture. */
static gboolean
display_save (DisplayState *state, GError **error)
{
  TillDisplaySim  *sim = g_ptr_array_index (state->sims, state->shown);
  const char      *protocol = g_ptr_array_index (state->protocols, state->shown);
  g_autofree char *png = g_build_filename (state->dir, "display.png", NULL);
  g_autofree char *partial = g_build_filename (state->dir, ".display.png.partial", NULL);
  g_autofree char *txt = g_build_filename (state->dir, "display.txt", NULL);
  g_autofree char *description = describe_display (sim, protocol);

  if (!till_display_sim_render_png (sim, partial, error))
    return FALSE;
  if (g_rename (partial, png) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot write %s: %s",
                   png, g_strerror (saved_errno));
      g_unlink (partial);
      return FALSE;
    }
  return g_file_set_contents (txt, description, -1, error);
}

static gboolean
add_display (DisplayState *state, const char *protocol, const char *model, GError **error)
{
  TillDisplaySim *sim = till_display_sim_new (protocol, model);

  if (sim == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "No display simulator for protocol “%s”%s%s (led8, cd5220 or epson; "
                   "led8 models: generic, pd1800a, hisense, partner, ejeton, led8n)",
                   protocol, model != NULL ? " model " : "", model != NULL ? model : "");
      return FALSE;
    }
  /* A demo display can draw what text=zh sends; with text=en it never has to. */
  till_display_sim_set_chinese_font (sim, TRUE);
  g_ptr_array_add (state->sims, sim);
  g_ptr_array_add (state->protocols, (gpointer) protocol);
  return TRUE;
}

static gpointer
display_open (GUri *uri, GError **error)
{
  g_autoptr (GHashTable) params = NULL;
  const char   *protocol;
  const char   *model;
  const char   *dir;
  DisplayState *state;
  gboolean      ok = TRUE;

  if (!parse_query (uri, &params, error))
    return NULL;
  protocol = g_hash_table_lookup (params, "protocol");
  model = g_hash_table_lookup (params, "model");
  dir = g_hash_table_lookup (params, "dir");
  if (!check_absolute ("dir", dir, error))
    return NULL;
  if (dir != NULL && g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot make the display's directory %s: %s", dir, g_strerror (saved_errno));
      return NULL;
    }

  state = g_new0 (DisplayState, 1);
  state->sims = g_ptr_array_new_with_free_func (g_object_unref);
  state->protocols = g_ptr_array_new ();
  state->dir = g_strdup (dir);
  if (protocol != NULL)
    {
      /* Keep the strings past the hash table: the known names are static. */
      for (guint i = 0; i < G_N_ELEMENTS (display_kinds); i++)
        if (g_str_equal (display_kinds[i].protocol, protocol))
          protocol = display_kinds[i].protocol;
      ok = add_display (state, protocol, model, error);
    }
  else
    for (guint i = 0; ok && i < G_N_ELEMENTS (display_kinds); i++)
      ok = add_display (state, display_kinds[i].protocol, display_kinds[i].model, error);
  if (ok && state->dir != NULL)
    ok = display_save (state, error);
  if (!ok)
    {
      display_free (state);
      return NULL;
    }
  return state;
}

static gboolean
display_write_all (gpointer data, const guint8 *bytes, gsize len, GError **error)
{
  DisplayState *state = data;
  guint         best_garbage = G_MAXUINT;

  for (guint i = 0; i < state->sims->len; i++)
    {
      TillDisplaySim *sim = g_ptr_array_index (state->sims, i);
      guint           garbage;

      till_display_sim_feed (sim, bytes, len);
      garbage = till_display_sim_get_n_garbage_bytes (sim);
      if (garbage < best_garbage)
        {
          best_garbage = garbage;
          state->shown = i;
        }
    }
  return state->dir == NULL || display_save (state, error);
}

/* A pole display never answers. */
static gssize
display_read (gpointer data, guint8 *buffer, gsize len, guint timeout_ms, GError **error)
{
  return 0;
}

static gboolean
display_close (gpointer data, GError **error)
{
  return TRUE;
}

static const TillTransportBackend display_backend = {
  .scheme = "sim",
  .open = display_open,
  .write_all = display_write_all,
  .read = display_read,
  .close = display_close,
  .free = display_free,
};

/* ---- The scheme ------------------------------------------------------------------ */

static const struct
{
  const char                 *host;
  const TillTransportBackend *ops;
} devices[] = {
  { "printer", &_till_printer_sim_backend },
  { "scale", &scale_backend },
  { "display", &display_backend },
};

static gpointer
sim_open (GUri *uri, GError **error)
{
  const char *host = g_uri_get_host (uri);

  for (guint i = 0; i < G_N_ELEMENTS (devices); i++)
    if (g_strcmp0 (host, devices[i].host) == 0)
      {
        gpointer   state = devices[i].ops->open (uri, error);
        SimDevice *device;

        if (state == NULL)
          return NULL;
        device = g_new0 (SimDevice, 1);
        device->ops = devices[i].ops;
        device->state = state;
        return device;
      }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "There is no simulated device “%s”; try sim://printer, sim://scale or "
               "sim://display",
               host != NULL ? host : "");
  return NULL;
}

static gboolean
sim_write_all (gpointer data, const guint8 *bytes, gsize len, GError **error)
{
  SimDevice *device = data;

  if (device->ops->write_all == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "This simulated device takes no bytes");
      return FALSE;
    }
  return device->ops->write_all (device->state, bytes, len, error);
}

static gssize
sim_read (gpointer data, guint8 *buffer, gsize len, guint timeout_ms, GError **error)
{
  SimDevice *device = data;

  if (device->ops->read == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           "This simulated device sends no bytes");
      return -1;
    }
  return device->ops->read (device->state, buffer, len, timeout_ms, error);
}

static gboolean
sim_close (gpointer data, GError **error)
{
  SimDevice *device = data;

  return device->ops->close == NULL || device->ops->close (device->state, error);
}

static void
sim_free (gpointer data)
{
  SimDevice *device = data;

  if (device->ops->free != NULL)
    device->ops->free (device->state);
  g_free (device);
}

static const TillTransportBackend sim_backend = {
  .scheme = "sim",
  .open = sim_open,
  .write_all = sim_write_all,
  .read = sim_read,
  .close = sim_close,
  .free = sim_free,
};

/* ---- Public API ------------------------------------------------------------------ */

/**
 * till_sim_parse_weight:
 * @text: "0.456", "-0.010", "2", "0.456kg" or "456g"
 * @out_grams: (out): the weight in grams
 *
 * Returns: whether @text is a weight (kilograms to the gram, or whole grams)
 */
gboolean
till_sim_parse_weight (const char *text, gint64 *out_grams)
{
  gboolean negative = FALSE;
  gboolean grams_unit = FALSE;
  gint64   whole = 0;
  gint64   thousandths = 0;
  int      n_decimals = 0;
  gsize    len;
  gsize    i = 0;

  g_return_val_if_fail (text != NULL && out_grams != NULL, FALSE);

  len = strlen (text);
  if (len > 2 && g_ascii_strcasecmp (text + len - 2, "kg") == 0)
    len -= 2;
  else if (len > 1 && g_ascii_tolower (text[len - 1]) == 'g')
    {
      grams_unit = TRUE;
      len--;
    }
  if (i < len && (text[i] == '-' || text[i] == '+'))
    negative = text[i++] == '-';
  if (i == len || !g_ascii_isdigit (text[i]))
    return FALSE;
  for (; i < len && g_ascii_isdigit (text[i]); i++)
    {
      if (whole > G_MAXINT64 / 10000)
        return FALSE; /* no scale weighs that: keeps the grams from overflowing */
      whole = whole * 10 + (text[i] - '0');
    }
  if (i < len && text[i] == '.' && !grams_unit)
    for (i++; i < len && g_ascii_isdigit (text[i]); i++)
      {
        if (++n_decimals > 3)
          return FALSE;
        thousandths = thousandths * 10 + (text[i] - '0');
      }
  if (i != len)
    return FALSE;
  for (; n_decimals < 3; n_decimals++)
    thousandths *= 10;
  *out_grams = grams_unit ? whole : whole * 1000 + thousandths;
  if (negative)
    *out_grams = -*out_grams;
  return TRUE;
}

/**
 * till_sim_register_transports:
 *
 * Makes till_transport_open() answer sim://printer, sim://scale and
 * sim://display.
 */
void
till_sim_register_transports (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      till_transport_register_backend (&sim_backend);
      g_once_init_leave (&registered, 1);
    }
}
