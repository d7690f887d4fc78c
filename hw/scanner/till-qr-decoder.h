/* till-qr-decoder.h: decodes QR codes (and optionally EAN-13, Code 128) in grey images
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Which symbologies the decoder looks for. Each one costs time on every frame
 * (a textured frame with no code costs 10× a plain one with all of them on), so
 * a camera scanner enables only what the till reads from a camera. */
typedef enum
{
  TILL_QR_SYMBOLOGY_QR = 1 << 0,
  TILL_QR_SYMBOLOGY_EAN13 = 1 << 1,
  TILL_QR_SYMBOLOGY_CODE128 = 1 << 2,
} TillQrSymbology;

#define TILL_QR_SYMBOLOGY_DEFAULT TILL_QR_SYMBOLOGY_QR

/* Scan density: zbar looks at every Nth row and column. Density 2 halves the
 * time on an upright code (TESTING.md §5), but measured on 640×480 frames it
 * misses codes turned 40-60° at every module size, never reads 2-pixel
 * modules, and fails most noisy frames (tests/hw/test-camera-qr.c); a code held
 * up to a till camera is rarely upright, so the scanner uses density 1. */
#define TILL_QR_DEFAULT_DENSITY 1

/* One decoder per thread: it is not thread safe, and decoding is meant for a
 * worker thread. */
typedef struct _TillQrDecoder TillQrDecoder;

TillQrDecoder *till_qr_decoder_new (TillQrSymbology symbologies,
                                    guint           density) G_GNUC_WARN_UNUSED_RESULT;
void           till_qr_decoder_free (TillQrDecoder *self);

TillQrSymbology till_qr_decoder_get_symbologies (TillQrDecoder *self);
/* When the image as it is gives no code, decode it once more after a 3×3
 * median filter, which removes sensor speckle (salt-and-pepper) that breaks
 * zbar's finder-pattern runs; it costs a second pass on frames with no code.
 * On by default. */
void till_qr_decoder_set_denoise_fallback (TillQrDecoder *self, gboolean enabled);

/* Decodes an 8-bit grey image (Y800: one byte per pixel, rows @stride bytes
 * apart). Returns the decoded texts (UTF-8), in the order zbar found them, as
 * an array of strings; the array is empty when the image holds no code. */
GPtrArray *till_qr_decoder_decode_grey (TillQrDecoder *self,
                                        const guint8  *pixels,
                                        guint          width,
                                        guint          height,
                                        gsize          stride) G_GNUC_WARN_UNUSED_RESULT;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillQrDecoder, till_qr_decoder_free)

G_END_DECLS
