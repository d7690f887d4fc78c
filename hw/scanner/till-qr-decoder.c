/* till-qr-decoder.c: decodes QR codes (and optionally EAN-13, Code 128) in grey images
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-scanner"

#include "config.h"

#include <string.h>
#include <zbar.h>

#include "till-qr-decoder.h"

struct _TillQrDecoder
{
  zbar_image_scanner_t *scanner;
  TillQrSymbology       symbologies;
  gboolean              denoise_fallback;
  guint8               *packed;   /* a copy for images whose stride is not their width */
  guint8               *filtered; /* the median-filtered image of the second pass */
  gsize                 buffer_size;
};

/* Sorts two values in place: the compare-exchange of a sorting network. */
#define SORT2(a, b)         \
  G_STMT_START              \
  {                         \
    if ((a) > (b))          \
      {                     \
        guint8 swap_ = (a); \
        (a) = (b);          \
        (b) = swap_;        \
      }                     \
  }                         \
  G_STMT_END

/* The median of nine values, by the classic 19-exchange network. */
static guint8
median9 (guint8 p[9])
{
  SORT2 (p[1], p[2]);
  SORT2 (p[4], p[5]);
  SORT2 (p[7], p[8]);
  SORT2 (p[0], p[1]);
  SORT2 (p[3], p[4]);
  SORT2 (p[6], p[7]);
  SORT2 (p[1], p[2]);
  SORT2 (p[4], p[5]);
  SORT2 (p[7], p[8]);
  SORT2 (p[0], p[3]);
  SORT2 (p[5], p[8]);
  SORT2 (p[4], p[7]);
  SORT2 (p[3], p[6]);
  SORT2 (p[1], p[4]);
  SORT2 (p[2], p[5]);
  SORT2 (p[4], p[7]);
  SORT2 (p[4], p[2]);
  SORT2 (p[6], p[4]);
  SORT2 (p[4], p[2]);
  return p[4];
}

/* 3×3 median of a packed image; the border rows and columns are copied. */
static void
median_filter (const guint8 *in, guint8 *out, guint width, guint height)
{
  memcpy (out, in, (gsize) width * height);
  for (guint y = 1; y + 1 < height; y++)
    for (guint x = 1; x + 1 < width; x++)
      {
        const guint8 *above = in + (gsize) (y - 1) * width + x;
        const guint8 *row = above + width;
        const guint8 *below = row + width;
        guint8        window[9] = { above[-1], above[0],  above[1], row[-1], row[0],
                                    row[1],    below[-1], below[0], below[1] };

        out[(gsize) y * width + x] = median9 (window);
      }
}

static void
scan_packed (TillQrDecoder *self, const guint8 *data, guint width, guint height, GPtrArray *texts)
{
  zbar_image_t *image = zbar_image_create ();
  int           found;

  zbar_image_set_format (image, zbar_fourcc ('Y', '8', '0', '0'));
  zbar_image_set_size (image, width, height);
  /* No cleanup handler: zbar only reads the buffer, which the caller owns. */
  zbar_image_set_data (image, data, (unsigned long) width * height, NULL);
  found = zbar_scan_image (self->scanner, image);
  if (found > 0)
    {
      for (const zbar_symbol_t *symbol = zbar_image_first_symbol (image); symbol != NULL;
           symbol = zbar_symbol_next (symbol))
        {
          const char *text = zbar_symbol_get_data (symbol);
          guint       len = zbar_symbol_get_data_length (symbol);

          if (text == NULL || len == 0)
            continue;
          /* zbar turns QR byte data into UTF-8 by guessing its encoding; a guess
           * that went wrong must not reach GTK as invalid UTF-8. */
          g_ptr_array_add (texts, g_utf8_make_valid (text, len));
        }
    }
  else if (found < 0)
    g_debug ("zbar could not scan a %u×%u image", width, height);
  zbar_image_destroy (image);
}

static void
enable_symbology (TillQrDecoder *self, zbar_symbol_type_t type, gboolean enable)
{
  zbar_image_scanner_set_config (self->scanner, type, ZBAR_CFG_ENABLE, enable ? 1 : 0);
}

/**
 * till_qr_decoder_new:
 * @symbologies: the codes to look for
 * @density: scan every @density-th row and column (1 = every one)
 *
 * Returns: (transfer full): a decoder for one thread
 */
TillQrDecoder *
till_qr_decoder_new (TillQrSymbology symbologies, guint density)
{
  TillQrDecoder *self = g_new0 (TillQrDecoder, 1);

  self->symbologies = symbologies;
  self->denoise_fallback = TRUE;
  self->scanner = zbar_image_scanner_create ();
  /* Everything off first: zbar enables every symbology by default, and each
   * one costs time on every frame. */
  zbar_image_scanner_set_config (self->scanner, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
  enable_symbology (self, ZBAR_QRCODE, symbologies & TILL_QR_SYMBOLOGY_QR);
  enable_symbology (self, ZBAR_EAN13, symbologies & TILL_QR_SYMBOLOGY_EAN13);
  enable_symbology (self, ZBAR_CODE128, symbologies & TILL_QR_SYMBOLOGY_CODE128);
  zbar_image_scanner_set_config (self->scanner, ZBAR_NONE, ZBAR_CFG_X_DENSITY,
                                 (int) MAX (density, 1));
  zbar_image_scanner_set_config (self->scanner, ZBAR_NONE, ZBAR_CFG_Y_DENSITY,
                                 (int) MAX (density, 1));
  /* Each frame stands alone: zbar's cache would hold a code back until it has
   * been seen in several frames, and the camera scanner drops repeats itself. */
  zbar_image_scanner_enable_cache (self->scanner, 0);
  return self;
}

void
till_qr_decoder_free (TillQrDecoder *self)
{
  if (self == NULL)
    return;
  zbar_image_scanner_destroy (self->scanner);
  g_free (self->packed);
  g_free (self->filtered);
  g_free (self);
}

TillQrSymbology
till_qr_decoder_get_symbologies (TillQrDecoder *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->symbologies;
}

void
till_qr_decoder_set_denoise_fallback (TillQrDecoder *self, gboolean enabled)
{
  g_return_if_fail (self != NULL);
  self->denoise_fallback = enabled;
}

/**
 * till_qr_decoder_decode_grey:
 *
 * Returns: (transfer full) (element-type utf8): the decoded texts, possibly none
 */
GPtrArray *
till_qr_decoder_decode_grey (
    TillQrDecoder *self, const guint8 *pixels, guint width, guint height, gsize stride)
{
  g_autoptr (GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  const guint8 *data = pixels;
  gsize         size = (gsize) width * height;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0 && stride >= width, NULL);

  if (self->buffer_size < size)
    {
      g_free (self->packed);
      g_free (self->filtered);
      self->packed = g_malloc (size);
      self->filtered = g_malloc (size);
      self->buffer_size = size;
    }
  /* zbar's Y800 has no stride: pack the rows when there is padding. */
  if (stride != width)
    {
      for (guint y = 0; y < height; y++)
        memcpy (self->packed + (gsize) y * width, pixels + (gsize) y * stride, width);
      data = self->packed;
    }

  scan_packed (self, data, width, height, texts);
  if (texts->len == 0 && self->denoise_fallback && width >= 3 && height >= 3)
    {
      median_filter (data, self->filtered, width, height);
      scan_packed (self, self->filtered, width, height, texts);
    }
  return g_steal_pointer (&texts);
}
