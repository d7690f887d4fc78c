/* till-printer-profile.c: what a receipt printer can do, from its URI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-printer-profile"

#include "config.h"

#include <cairo.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-printer-profile.h"

/* A logo taller than this (about 25 cm at 203 dpi) is a mistake, not a logo. */
#define LOGO_MAX_HEIGHT 2048

struct _TillPrinterLogo
{
  guint   width_bytes;
  guint   height;
  guint8 *bits; /* width_bytes × height, MSB = leftmost dot */
};

typedef struct
{
  const char    *name;
  TillPaperWidth paper;
  TillCharset    charset;
  gboolean       kanji_mode;
  TillTextStyle  style;
  TillQrMode     qr_mode;
  gboolean       has_cutter;
} Preset;

/* Common models (DEVICES.md §1.4). The 58 mm Zjiang clones (POS-5890, ZJ-5870,
 * sold under many names) have raster and column images but no GS ( k and no
 * cutter. Epson's Chinese models have a GB18030 font and every command. */
static const Preset presets[] = {
  { "generic-58", TILL_PAPER_58MM, TILL_CHARSET_GBK, TRUE, TILL_STYLE_FS, TILL_QR_RASTER, FALSE },
  { "pos-5890", TILL_PAPER_58MM, TILL_CHARSET_GBK, TRUE, TILL_STYLE_FS, TILL_QR_RASTER, FALSE },
  { "zj-5870", TILL_PAPER_58MM, TILL_CHARSET_GBK, TRUE, TILL_STYLE_FS, TILL_QR_RASTER, FALSE },
  { "generic-80", TILL_PAPER_80MM, TILL_CHARSET_GBK, TRUE, TILL_STYLE_FS, TILL_QR_NATIVE, TRUE },
  { "tm-t88-chinese", TILL_PAPER_80MM, TILL_CHARSET_GB18030, TRUE, TILL_STYLE_FS, TILL_QR_NATIVE,
    TRUE },
  { "generic-80-big5", TILL_PAPER_80MM, TILL_CHARSET_BIG5, TRUE, TILL_STYLE_FS, TILL_QR_NATIVE,
    TRUE },
  { "generic-80-utf8", TILL_PAPER_80MM, TILL_CHARSET_UTF8, FALSE, TILL_STYLE_ESC, TILL_QR_NATIVE,
    TRUE },
};

static const char *const preset_names[] = {
  "generic-58",     "pos-5890",        "zj-5870",         "generic-80",
  "tm-t88-chinese", "generic-80-big5", "generic-80-utf8", NULL,
};

static const char *const charset_names[] = {
  [TILL_CHARSET_GBK] = "gbk",         [TILL_CHARSET_GB2312] = "gb2312",
  [TILL_CHARSET_GB18030] = "gb18030", [TILL_CHARSET_BIG5] = "big5",
  [TILL_CHARSET_UTF8] = "utf-8",
};

static const char *const qr_mode_names[] = {
  [TILL_QR_NATIVE] = "native",
  [TILL_QR_RASTER] = "raster",
  [TILL_QR_COLUMN] = "column",
};

static const char *const style_names[] = {
  [TILL_STYLE_FS] = "fs",
  [TILL_STYLE_ESC] = "esc",
  [TILL_STYLE_GS] = "gs",
};

G_DEFINE_QUARK (till - printer - profile - error - quark, till_printer_profile_error)

G_DEFINE_BOXED_TYPE (TillPrinterProfile,
                     till_printer_profile,
                     till_printer_profile_copy,
                     till_printer_profile_free)

static void
logo_clear (gpointer data)
{
  TillPrinterLogo *logo = data;

  g_free (logo->bits);
}

static TillPrinterLogo *
logo_ref (TillPrinterLogo *logo)
{
  return logo != NULL ? g_atomic_rc_box_acquire (logo) : NULL;
}

static void
logo_unref (TillPrinterLogo *logo)
{
  if (logo != NULL)
    g_atomic_rc_box_release_full (logo, logo_clear);
}

static const Preset *
find_preset (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++)
    if (g_ascii_strcasecmp (presets[i].name, name) == 0)
      return &presets[i];
  return NULL;
}

static void
apply_preset (TillPrinterProfile *profile, const Preset *preset)
{
  till_printer_profile_clear (profile);
  till_printer_profile_init (profile, preset->paper);
  profile->charset = preset->charset;
  profile->kanji_mode = preset->kanji_mode;
  profile->style = preset->style;
  profile->qr_mode = preset->qr_mode;
  profile->has_cutter = preset->has_cutter;
}

/* Index of @value in @names (a table indexed by enum value), or -1. */
static int
lookup_name (const char *const *names, guint n_names, const char *value)
{
  for (guint i = 0; i < n_names; i++)
    if (names[i] != NULL && g_ascii_strcasecmp (names[i], value) == 0)
      return (int) i;
  return -1;
}

static gboolean
parse_switch (const char *value, const char *on, const char *off, gboolean *out_value)
{
  if (g_ascii_strcasecmp (value, on) == 0)
    *out_value = TRUE;
  else if (g_ascii_strcasecmp (value, off) == 0)
    *out_value = FALSE;
  else
    return FALSE;
  return TRUE;
}

static gboolean
invalid_value (GError **error, const char *uri, const char *key, const char *value)
{
  g_set_error (error, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_INVALID,
               _ ("Printer %s: “%s” is not a valid value for %s"), uri, value, key);
  return FALSE;
}

/* Applies one option of the query to @profile. */
static gboolean
apply_option (TillPrinterProfile *profile,
              const char         *uri,
              const char         *key,
              const char         *value,
              GError            **error)
{
  int index;

  if (strcmp (key, "width") == 0)
    {
      if (strcmp (value, "58") == 0)
        till_printer_profile_set_paper (profile, TILL_PAPER_58MM);
      else if (strcmp (value, "80") == 0)
        till_printer_profile_set_paper (profile, TILL_PAPER_80MM);
      else
        return invalid_value (error, uri, key, value);
    }
  else if (strcmp (key, "encoding") == 0)
    {
      index = lookup_name (charset_names, G_N_ELEMENTS (charset_names), value);
      if (index < 0 && g_ascii_strcasecmp (value, "utf8") == 0)
        index = TILL_CHARSET_UTF8;
      if (index < 0)
        return invalid_value (error, uri, key, value);
      profile->charset = (TillCharset) index;
    }
  else if (strcmp (key, "kanji") == 0)
    {
      if (!parse_switch (value, "on", "off", &profile->kanji_mode))
        return invalid_value (error, uri, key, value);
    }
  else if (strcmp (key, "style") == 0)
    {
      index = lookup_name (style_names, G_N_ELEMENTS (style_names), value);
      if (index < 0)
        return invalid_value (error, uri, key, value);
      profile->style = (TillTextStyle) index;
    }
  else if (strcmp (key, "qr") == 0)
    {
      index = lookup_name (qr_mode_names, G_N_ELEMENTS (qr_mode_names), value);
      if (index < 0)
        return invalid_value (error, uri, key, value);
      profile->qr_mode = (TillQrMode) index;
    }
  else if (strcmp (key, "cutter") == 0)
    {
      if (!parse_switch (value, "yes", "no", &profile->has_cutter))
        return invalid_value (error, uri, key, value);
    }
  /* Anything else (baud, serial, dir, protocol…) belongs to the transport. */
  return TRUE;
}

/* Floyd–Steinberg from 8-bit grey (0 black … 255 white) to 1 bit, MSB left. */
static guint8 *
dither (const guint8 *grey, guint width, guint height, guint *out_width_bytes)
{
  guint           width_bytes = (width + 7) / 8;
  guint8         *bits = g_malloc0 ((gsize) width_bytes * height);
  g_autofree int *current = g_new0 (int, width + 2);
  g_autofree int *next = g_new0 (int, width + 2);

  for (guint x = 0; x < width; x++)
    current[x + 1] = grey[x];
  for (guint y = 0; y < height; y++)
    {
      int *swap;

      memset (next, 0, sizeof (int) * (width + 2));
      if (y + 1 < height)
        for (guint x = 0; x < width; x++)
          next[x + 1] = grey[(gsize) (y + 1) * width + x];
      for (guint x = 0; x < width; x++)
        {
          int old = current[x + 1];
          int level = old < 128 ? 0 : 255;
          int err = old - level;

          if (level == 0)
            bits[(gsize) y * width_bytes + x / 8] |= 0x80 >> (x % 8);
          current[x + 2] += err * 7 / 16;
          next[x] += err * 3 / 16;
          next[x + 1] += err * 5 / 16;
          next[x + 2] += err * 1 / 16;
        }
      swap = current;
      current = next;
      next = swap;
    }
  *out_width_bytes = width_bytes;
  return bits;
}

/* Printer profiles */

/**
 * till_printer_profile_init:
 * Fills @profile (uninitialised memory, or cleared) with the usual values of a
 * Chinese printer of that paper width: GBK font in Chinese mode, FS ! styling,
 * native QR at 6 dots per module (5 on 58 mm), a cutter, no logo.
 */
void
till_printer_profile_init (TillPrinterProfile *profile, TillPaperWidth paper)
{
  g_return_if_fail (profile != NULL);

  memset (profile, 0, sizeof *profile);
  profile->charset = TILL_CHARSET_GBK;
  profile->kanji_mode = TRUE;
  profile->style = TILL_STYLE_FS;
  profile->qr_mode = TILL_QR_NATIVE;
  profile->has_cutter = TRUE;
  till_printer_profile_set_paper (profile, paper);
}

/* The paper width and what follows from it: columns, dots, QR module size. */
void
till_printer_profile_set_paper (TillPrinterProfile *profile, TillPaperWidth paper)
{
  g_return_if_fail (profile != NULL);

  profile->paper = paper;
  profile->columns = paper == TILL_PAPER_58MM ? 32 : 48;
  profile->dots = paper == TILL_PAPER_58MM ? 384 : 576;
  profile->qr_module_size = paper == TILL_PAPER_58MM ? 5 : 6;
}

/* Frees what @profile owns (the logo); for profiles on the stack. */
void
till_printer_profile_clear (TillPrinterProfile *profile)
{
  g_return_if_fail (profile != NULL);

  g_clear_pointer (&profile->logo, logo_unref);
}

TillPrinterProfile *
till_printer_profile_new (TillPaperWidth paper)
{
  TillPrinterProfile *profile = g_new0 (TillPrinterProfile, 1);

  till_printer_profile_init (profile, paper);
  return profile;
}

/* A copy sharing the logo raster (it is never changed once made). */
TillPrinterProfile *
till_printer_profile_copy (const TillPrinterProfile *profile)
{
  TillPrinterProfile *copy;

  g_return_val_if_fail (profile != NULL, NULL);

  copy = g_memdup2 (profile, sizeof *profile);
  copy->logo = logo_ref (profile->logo);
  return copy;
}

void
till_printer_profile_free (TillPrinterProfile *profile)
{
  if (profile == NULL)
    return;
  till_printer_profile_clear (profile);
  g_free (profile);
}

const char *const *
till_printer_profile_list_presets (void)
{
  return preset_names;
}

/**
 * till_printer_profile_new_preset:
 * The profile of a named model (see till_printer_profile_list_presets()).
 */
TillPrinterProfile *
till_printer_profile_new_preset (const char *name, GError **error)
{
  const Preset       *preset;
  TillPrinterProfile *profile;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  preset = find_preset (name);
  if (preset == NULL)
    {
      g_set_error (error, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_INVALID,
                   _ ("There is no printer profile called “%s”"), name);
      return NULL;
    }
  profile = g_new0 (TillPrinterProfile, 1);
  apply_preset (profile, preset);
  return profile;
}

/**
 * till_printer_profile_new_from_uri:
 * The profile @uri's query describes: profile=PRESET first (else generic-80),
 * then width=58|80, encoding=gb18030|gbk|gb2312|big5|utf-8, kanji=on|off,
 * style=fs|esc|gs, qr=native|raster|column, cutter=yes|no and logo=/path.png
 * in that order, so an option overrides the preset whatever its place. Other
 * options are the transport's and are ignored here.
 */
TillPrinterProfile *
till_printer_profile_new_from_uri (const char *uri, GError **error)
{
  static const char *const keys[] = { "width", "encoding", "kanji", "style", "qr", "cutter" };
  g_autoptr (TillPrinterProfile) profile = NULL;
  g_autoptr (GHashTable) params = NULL;
  g_autofree char *query = NULL;
  const char      *question;
  const char      *value;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  question = strchr (uri, '?');
  query = g_strdup (question != NULL ? question + 1 : "");
  /* A fragment is not part of the query. */
  if (strchr (query, '#') != NULL)
    *strchr (query, '#') = '\0';
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    {
      g_set_error (error, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_INVALID,
                   _ ("Printer %s: the options after “?” cannot be read"), uri);
      return NULL;
    }

  profile = g_new0 (TillPrinterProfile, 1);
  value = g_hash_table_lookup (params, "profile");
  if (value != NULL)
    {
      const Preset *preset = find_preset (value);

      if (preset == NULL)
        {
          g_set_error (error, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_INVALID,
                       _ ("Printer %s: there is no printer profile called “%s”"), uri, value);
          return NULL;
        }
      apply_preset (profile, preset);
    }
  else
    apply_preset (profile, find_preset ("generic-80"));

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      value = g_hash_table_lookup (params, keys[i]);
      if (value != NULL && !apply_option (profile, uri, keys[i], value, error))
        return NULL;
    }

  value = g_hash_table_lookup (params, "logo");
  if (value != NULL)
    {
      g_autoptr (GError) logo_error = NULL;

      if (!till_printer_profile_set_logo_png (profile, value, &logo_error))
        {
          g_set_error (error, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_LOGO,
                       _ ("Printer %s: %s"), uri, logo_error->message);
          return NULL;
        }
    }
  return g_steal_pointer (&profile);
}

/**
 * till_printer_profile_set_logo_png:
 * Replaces the profile's logo by @png_path as a raster at most the paper's width
 * (scaled down, never up: a logo is drawn for the printer), with transparency
 * over white. Made once here, so every receipt just copies bytes.
 */
gboolean
till_printer_profile_set_logo_png (TillPrinterProfile *profile,
                                   const char         *png_path,
                                   GError            **error)
{
  cairo_surface_t   *png;
  cairo_surface_t   *canvas;
  cairo_t           *cr;
  g_autofree guint8 *grey = NULL;
  TillPrinterLogo   *logo;
  int                png_width, png_height;
  guint              width, height, stride;
  const guint8      *pixels;
  double             scale = 1.0;

  g_return_val_if_fail (profile != NULL, FALSE);
  g_return_val_if_fail (png_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  png = cairo_image_surface_create_from_png (png_path);
  if (cairo_surface_status (png) != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_LOGO,
                   _ ("Cannot load the logo %s: %s"), png_path,
                   cairo_status_to_string (cairo_surface_status (png)));
      cairo_surface_destroy (png);
      return FALSE;
    }
  png_width = cairo_image_surface_get_width (png);
  png_height = cairo_image_surface_get_height (png);
  if ((guint) png_width > profile->dots)
    scale = (double) profile->dots / png_width;
  width = MAX (1, (guint) (png_width * scale));
  height = MAX (1, (guint) (png_height * scale + 0.5));
  if (png_width <= 0 || png_height <= 0 || height > LOGO_MAX_HEIGHT)
    {
      g_set_error (error, TILL_PRINTER_PROFILE_ERROR, TILL_PRINTER_PROFILE_ERROR_LOGO,
                   _ ("The logo %s is %d×%d pixels: too tall for a receipt"), png_path, png_width,
                   png_height);
      cairo_surface_destroy (png);
      return FALSE;
    }

  canvas = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) width, (int) height);
  cr = cairo_create (canvas);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_scale (cr, scale, scale);
  cairo_set_source_surface (cr, png, 0, 0);
  cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_GOOD);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_destroy (png);
  cairo_surface_flush (canvas);

  /* Luma of each pixel (RGB24 is native-endian 0xXXRRGGBB). */
  pixels = cairo_image_surface_get_data (canvas);
  stride = (guint) cairo_image_surface_get_stride (canvas);
  grey = g_malloc ((gsize) width * height);
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      {
        guint32 px = ((const guint32 *) (pixels + (gsize) y * stride))[x];
        guint   r = (px >> 16) & 0xff, g = (px >> 8) & 0xff, b = px & 0xff;

        grey[(gsize) y * width + x] = (guint8) ((r * 299 + g * 587 + b * 114) / 1000);
      }
  cairo_surface_destroy (canvas);

  logo = g_atomic_rc_box_new0 (TillPrinterLogo);
  logo->height = height;
  logo->bits = dither (grey, width, height, &logo->width_bytes);
  g_clear_pointer (&profile->logo, logo_unref);
  profile->logo = logo;
  return TRUE;
}

/* The logo raster (NULL when there is none) and its size. */
const guint8 *
till_printer_profile_get_logo (const TillPrinterProfile *profile,
                               guint                    *out_width_bytes,
                               guint                    *out_height)
{
  g_return_val_if_fail (profile != NULL, NULL);

  if (out_width_bytes != NULL)
    *out_width_bytes = profile->logo != NULL ? profile->logo->width_bytes : 0;
  if (out_height != NULL)
    *out_height = profile->logo != NULL ? profile->logo->height : 0;
  return profile->logo != NULL ? profile->logo->bits : NULL;
}

const char *
till_charset_to_string (TillCharset charset)
{
  g_return_val_if_fail (charset < G_N_ELEMENTS (charset_names), NULL);

  return charset_names[charset];
}

const char *
till_qr_mode_to_string (TillQrMode mode)
{
  g_return_val_if_fail (mode < G_N_ELEMENTS (qr_mode_names), NULL);

  return qr_mode_names[mode];
}

const char *
till_text_style_to_string (TillTextStyle style)
{
  g_return_val_if_fail (style < G_N_ELEMENTS (style_names), NULL);

  return style_names[style];
}
