/* masterdata — the region tree of the whole country, overseas included,
 * with populations, loaded from the project's data/ directory:
 *
 *   wilayah.csv              "kode,nama"  provinces .. desa (Kemendagri)
 *   luarnegeri.csv           "kode,nama"  overseas: 99 > country > PPLN city > PPLN
 *   penduduk.csv             "kode,nama,pria,wanita,total"  nation, provinces, kab/kota
 *   luarnegeri_penduduk.csv  same form, 99 and its countries (project estimates)
 *
 * The forms are described in docs/DATA.md. Error codes: those of file
 * (FILE_*), csv (CSV_*) and region (REGION_*), plus MASTERDATA_PATH (the
 * directory name is too long). */
#ifndef REKAP_MASTERDATA_H
#define REKAP_MASTERDATA_H

#include "core/election.h"
#include "core/err.h"
#include "core/region.h"

#define MASTERDATA_FILE_MAX (64u << 20) /* bytes per master data file */

/* Load the tree from `dir` into *out (a finished tree, no TPS; the caller
 * frees it with region_tree_free). On error *out is untouched and nothing
 * is left allocated. */
int masterdata_load(const char *dir, region_tree **out, err_info *e);

#define MASTERDATA_ELECTION_MAX ((size_t)256 << 20) /* bytes of an election file */

/* Load the master data from data_dir and the election definition at path
 * (rekap-election/1) over it. On error e->where names the file (and the
 * JSON path inside it) and nothing is left allocated. */
int masterdata_load_election(const char *data_dir, const char *path, election **out,
                             err_info *e);

#endif
