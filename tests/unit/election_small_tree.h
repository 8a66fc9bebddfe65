/* election_small_tree — the small region tree the election tests and the
 * election fuzz target parse definitions over: two kabupaten of Aceh
 * (kecamatan and desa under them) and two overseas PPLN, every level
 * present, as wilayah-style CSV (region_add_csv). */
#ifndef REKAP_TEST_ELECTION_SMALL_TREE_H
#define REKAP_TEST_ELECTION_SMALL_TREE_H

static const char election_small_regions_csv[] =
    "kode,nama\n"
    "11,Aceh\n"
    "11.01,Kabupaten Aceh Selatan\n"
    "11.01.01,Bakongan\n"
    "11.01.01.2001,Keude Bakongan\n"
    "11.01.01.2002,Ujong Padang\n"
    "11.01.02,Kluet Utara\n"
    "11.01.02.2001,Fajar Harapan\n"
    "11.02,Kabupaten Aceh Tenggara\n"
    "11.02.01,Lawe Alas\n"
    "11.02.01.2001,Lawe Sagu\n"
    "99,Luar Negeri\n"
    "99.01,Malaysia\n"
    "99.01.01,Kuala Lumpur\n"
    "99.01.01.0001,PPLN Kuala Lumpur\n"
    "99.02,Jepang\n"
    "99.02.01,Tokyo\n"
    "99.02.01.0001,PPLN Tokyo\n";

#endif
