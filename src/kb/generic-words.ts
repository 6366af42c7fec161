/**
 * Everyday and paperwork words that appear in questions of every office, not only a
 * social work centre's: "làm lại giấy tờ mất bao lâu", "nộp ở đâu", "tốn bao nhiêu
 * tiền". Matching only these says nothing about whether the knowledge base can answer,
 * so they count little towards confidence (they still help ranking). Folded syllables.
 */
export const GENERIC_SYLLABLES = new Set(
  (
    'toi em anh chi minh ban ong ba bo me cha con chau nha gia dinh nguoi ' +
    'co khong duoc bi la thi ma va voi cua cho de khi neu thi roi da dang se con van cung ' +
    'gi nao sao the nhu vay day do nay kia ay ai dau may bao nhieu lau gio luc ' +
    'lam lai nop xin can phai muon hoi biet cach buoc thu tuc ho so giay to don to khai ' +
    'chung nhan xac khieu nai hoa don thuong tru tam tru cu tru vneid suc khoe ' +
    'o tai tu den ve di len xuong qua trong ngoai tren duoi sau truoc ' +
    'tien phi ton mat het han moi cu nam thang ngay tuan nay nam nay hom ' +
    'cap doi dang ky kiem tra tra cuu online mang app truc tuyen khau ' +
    'nhan lanh linh tra chi dong tang giam tinh ' +
    'mot hai ba bon nam sau bay tam chin muoi tram nghin ngan trieu ty dong ' +
    'cong ty co quan nha nuoc xa phuong tinh thanh pho huyen quan'
  ).split(' '),
);

/** A unigram or bigram ("ho_so") made only of generic syllables. */
export function isGenericTerm(term: string): boolean {
  return term.split('_').every((s) => GENERIC_SYLLABLES.has(s));
}
