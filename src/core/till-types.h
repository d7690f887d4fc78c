/* till-types.h: forward declarations of the core types
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

typedef struct _TillCart     TillCart;
typedef struct _TillCartLine TillCartLine;
typedef struct _TillCatalog  TillCatalog;
typedef struct _TillCategory TillCategory;
typedef struct _TillJournal  TillJournal;
typedef struct _TillPayment  TillPayment;
typedef struct _TillProduct  TillProduct;
typedef struct _TillSale     TillSale;
typedef struct _TillStore    TillStore;
typedef struct _TillUser     TillUser;

G_END_DECLS
