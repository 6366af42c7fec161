import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminUnitsError, DEFAULT_ADMIN_UNITS_DIR, describePlace, loadAdminUnits, shippedAdminUnits } from '../src/flows/intake/admin-units.js';
import {
  resolveCommune,
  resolvePlace,
  resolveProvince,
  type CommuneResult,
  type ProvinceResult,
} from '../src/flows/intake/places.js';
import { foldDiacritics } from '../src/kb/normalize.js';

const ROOT = join(import.meta.dirname, '..');
const units = shippedAdminUnits();

/** "79" for found, "ambiguous:48,51" or "unknown": short to compare. */
function provinceOf(r: ProvinceResult): string {
  if (r.kind === 'found') return r.province.code;
  if (r.kind === 'ambiguous') return `ambiguous:${r.candidates.map((c) => c.province.code).join(',')}`;
  return 'unknown';
}
function communeOf(r: CommuneResult): string {
  if (r.kind === 'found') return r.commune.name;
  if (r.kind === 'ambiguous') return `ambiguous:${r.candidates.map((c) => c.name).join('|')}`;
  return 'unknown';
}

describe('admin-unit data shipped in data/admin-units', () => {
  it('passes its own check script from the project root', () => {
    const out = execFileSync(process.execPath, ['data/admin-units/check.mjs'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('OK: 34 provinces, 3321 communes');
  });

  it('loads 34 provinces, 3,321 communes and 63 old provinces with the documented types', () => {
    expect(units.provinces).toHaveLength(34);
    expect(units.communes).toHaveLength(3321);
    expect(units.oldProvinces).toHaveLength(63);
    expect(units.provinces.filter((p) => p.type === 'thành phố')).toHaveLength(6);
    const types = units.communes.reduce<Record<string, number>>((m, c) => ({ ...m, [c.type]: (m[c.type] ?? 0) + 1 }), {});
    expect(types).toEqual({ 'xã': 2621, 'phường': 687, 'đặc khu': 13 });
    expect(units.province('01')).toMatchObject({ name: 'Thành phố Hà Nội', short: 'Hà Nội', type: 'thành phố' });
    expect(units.communesOf('01')[0]).toEqual({
      code: '00004',
      name: 'Phường Ba Đình',
      short: 'Ba Đình',
      type: 'phường',
      provinceCode: '01',
    });
    expect(units.province('79')?.mergedFrom).toEqual(['Hồ Chí Minh', 'Bình Dương', 'Bà Rịa - Vũng Tàu']);
  });

  it('loads once per process', () => {
    expect(shippedAdminUnits()).toBe(units);
  });

  it('stops with the file and field named when a data file is wrong', () => {
    const dir = mkdtempSync(join(tmpdir(), 'admin-units-'));
    for (const f of ['provinces.json', 'communes.json', 'old-provinces.json']) copyFileSync(join(DEFAULT_ADMIN_UNITS_DIR, f), join(dir, f));
    writeFileSync(join(dir, 'communes.json'), JSON.stringify([{ code: '123', name: 'Xã A', type: 'xã', province_code: '01' }]));
    expect(() => loadAdminUnits(dir)).toThrow(AdminUnitsError);
    expect(() => loadAdminUnits(dir)).toThrow(/communes\.json: 0\.code/);
    writeFileSync(join(dir, 'communes.json'), JSON.stringify([{ code: '00001', name: 'Xã A', type: 'xã', province_code: '99' }]));
    expect(() => loadAdminUnits(dir)).toThrow(/unknown province_code 99/);
  });
});

describe('resolveProvince', () => {
  it('finds every current province by its short and full name, with and without diacritics', () => {
    for (const p of units.provinces) {
      for (const text of [p.short, p.name, foldDiacritics(p.short), p.short.toUpperCase()]) {
        const r = resolveProvince(text);
        expect(r, text).toMatchObject({ kind: 'found', via: 'current', match: 'exact', province: { code: p.code } });
      }
    }
  });

  it('maps every one of the 63 old provinces to the province it is part of now', () => {
    for (const o of units.oldProvinces) {
      const r = resolveProvince(foldDiacritics(o.name));
      expect(provinceOf(r), o.name).toBe(o.now);
    }
  });

  it.each([
    ['Quảng Nam', '48', 'Quảng Nam'],
    ['quang nam', '48', 'Quảng Nam'],
    ['tỉnh Bình Dương', '79', 'Bình Dương'],
    ['binh duong', '79', 'Bình Dương'],
    ['Thừa Thiên Huế', '46', 'Thừa Thiên Huế'],
    ['thua thien hue', '46', 'Thừa Thiên Huế'],
    ['TT Huế', '46', 'Thừa Thiên Huế'],
    ['Hà Giang', '08', 'Hà Giang'],
    ['Kiên Giang', '91', 'Kiên Giang'],
    ['Vũng Tàu', '79', 'Bà Rịa - Vũng Tàu'],
    ['Bà Rịa - Vũng Tàu', '79', 'Bà Rịa - Vũng Tàu'],
    ['ba ria vung tau', '79', 'Bà Rịa - Vũng Tàu'],
    ['Bắc Cạn', '19', 'Bắc Kạn'],
  ])('old name %s → %s, saying which old name matched', (text, code, oldName) => {
    expect(resolveProvince(text)).toMatchObject({ kind: 'found', via: 'old-name', oldName, province: { code } });
  });

  it('prefers the current name when a province kept its name (Tây Ninh absorbed Long An)', () => {
    expect(resolveProvince('Tây Ninh')).toMatchObject({ kind: 'found', via: 'current', province: { code: '80' } });
    expect(resolveProvince('Huế')).toMatchObject({ kind: 'found', via: 'current', province: { code: '46' } });
    expect(resolveProvince('Long An')).toMatchObject({ kind: 'found', via: 'old-name', province: { code: '80' } });
  });

  it.each([
    ['HCM', '79'], ['hcm', '79'], ['TPHCM', '79'], ['tp hcm', '79'], ['TP.HCM', '79'], ['tp. Hồ Chí Minh', '79'],
    ['Thành phố Hồ Chí Minh', '79'], ['thanh pho ho chi minh', '79'], ['Sài Gòn', '79'], ['sai gon', '79'],
    ['saigon', '79'], ['SG', '79'], ['HN', '01'], ['Hà Nội', '01'], ['ha noi', '01'], ['hanoi', '01'],
    ['TP Hà Nội', '01'], ['thủ đô Hà Nội', '01'], ['tinh tay ninh', '80'], ['Tỉnh Tây Ninh', '80'],
    ['TỈNH TÂY NINH', '80'], ['Đắk Lắk', '66'], ['dak lak', '66'], ['daklak', '66'], ['Đắc Lắc', '66'],
    ['da nang', '48'], ['tp. đà nẵng', '48'], ['can tho', '92'],
  ])('abbreviation, prefix, case or spacing: %s → %s', (text, code) => {
    expect(resolveProvince(text)).toMatchObject({ kind: 'found', via: 'current', match: 'exact', province: { code } });
  });

  it('treats both tone-mark placements alike (hoà / hòa, hoá / hóa)', () => {
    expect(provinceOf(resolveProvince('Khánh Hoà'))).toBe('56');
    expect(provinceOf(resolveProvince('tỉnh Thanh Hoá'))).toBe('38');
    expect(resolveProvince('Hoà Bình')).toMatchObject({ via: 'old-name', oldName: 'Hòa Bình', province: { code: '25' } });
  });

  it('forgives one typo when only one province is that close, and says so', () => {
    expect(resolveProvince('tay ninhh')).toMatchObject({ kind: 'found', match: 'one-edit', province: { code: '80' } });
    expect(resolveProvince('Tây Nin')).toMatchObject({ kind: 'found', match: 'one-edit', province: { code: '80' } });
    expect(resolveProvince('quang nga')).toMatchObject({ kind: 'found', match: 'one-edit', province: { code: '51' } });
    expect(resolveProvince('thanh hao')).toMatchObject({ kind: 'found', match: 'one-edit', province: { code: '38' } });
    expect(resolveProvince('quang namm')).toMatchObject({ kind: 'found', match: 'one-edit', via: 'old-name', province: { code: '48' } });
  });

  it('asks when a typo is one letter from two provinces', () => {
    expect(provinceOf(resolveProvince('chanh hoa'))).toBe('ambiguous:38,56');
    const r = resolveProvince('lien giang');
    expect(r.kind).toBe('ambiguous');
    if (r.kind === 'ambiguous') {
      expect(r.candidates.map((c) => [c.province.code, c.oldName])).toEqual([['82', 'Tiền Giang'], ['91', 'Kiên Giang']]);
    }
  });

  it('reads a place in a short sentence', () => {
    expect(provinceOf(resolveProvince('ở Tây Ninh ạ'))).toBe('80');
    expect(provinceOf(resolveProvince('nhà bà ở tỉnh Quảng Nam'))).toBe('48');
  });

  it.each(['', '   ', 'asdf', 'không biết', 'khong biet', 'xin chào', '123', 'tp', 'tỉnh', 'huyện', 'vâng', 'hà tây', '???'])(
    'nonsense or no province: %j → unknown',
    (text) => {
      expect(resolveProvince(text)).toEqual({ kind: 'unknown' });
    },
  );
});

describe('resolveCommune', () => {
  it('finds every commune by its full official name', () => {
    for (const c of units.communes) {
      const r = resolveCommune(c.provinceCode, c.name);
      expect(r.kind === 'found' && r.commune.code, c.name).toBe(c.code);
    }
  });

  it('finds every commune by its bare name without diacritics, or asks among those that fold alike', () => {
    const ambiguous: string[] = [];
    for (const c of units.communes) {
      const r = resolveCommune(c.provinceCode, foldDiacritics(c.short));
      if (r.kind === 'ambiguous') {
        expect(r.candidates.map((x) => x.code), c.name).toContain(c.code);
        ambiguous.push(c.name);
      } else {
        expect(r.kind === 'found' && r.commune.code, c.name).toBe(c.code);
      }
    }
    // 10 pairs in one province fold alike once "xã"/"phường" is left out (the data README
    // counts 8: it compares names with their type word)
    expect(ambiguous).toHaveLength(20);
  });

  it.each([
    ['01', 'phường Ba Đình'], ['01', 'Phường Ba Đình'], ['01', 'ba dinh'], ['01', 'BA ĐÌNH'], ['01', 'P. Ba Đình'],
    ['01', 'p.ba dinh'], ['01', 'P Ba Dinh'], ['01', 'thị trấn Ba Đình'], ['01', 'nhà em ở phường Ba Đình'], ['01', 'ở phường Ba Đình ạ'],
  ])('type word, case, no diacritics: %s %s → Phường Ba Đình', (code, text) => {
    expect(resolveCommune(code, text)).toMatchObject({ kind: 'found', match: 'exact', commune: { name: 'Phường Ba Đình' } });
  });

  it.each([
    ['79', 'đặc khu Côn Đảo', 'Đặc khu Côn Đảo'],
    ['79', 'dk con dao', 'Đặc khu Côn Đảo'],
    ['91', 'Phu Quoc', 'Đặc khu Phú Quốc'],
    ['80', 'x. tan lap', 'Xã Tân Lập'],
    ['66', "Ea H'Leo", "Xã Ea H'Leo"],
    ['66', 'Ea H’Leo', "Xã Ea H'Leo"],
    ['66', 'ea hleo', "Xã Ea H'Leo"],
    ['66', 'ea h leo', "Xã Ea H'Leo"],
    ['66', 'cu mgar', "Xã Cư M'gar"],
    ['01', 'van mieu quoc tu giam', 'Phường Văn Miếu - Quốc Tử Giám'],
    ['01', 'Văn Miếu-Quốc Tử Giám', 'Phường Văn Miếu - Quốc Tử Giám'],
    ['68', 'lam vien da lat', 'Phường Lâm Viên - Đà Lạt'],
    ['68', 'p2 bao loc', 'Phường 2 Bảo Lộc'],
    ['46', 'A Lưới 2', 'Xã A Lưới 2'],
    ['01', 'phuong liet', 'Phường Phương Liệt'],
    ['01', 'o cho dua', 'Phường Ô Chợ Dừa'],
  ])('prefixes, apostrophes, hyphens, numbers: %s %j → %s', (code, text, name) => {
    expect(communeOf(resolveCommune(code, text))).toBe(name);
  });

  it('treats both tone-mark placements alike', () => {
    const hoa = units.communes.find((c) => c.name.includes('Hòa') && c.provinceCode === '56')!;
    expect(communeOf(resolveCommune('56', hoa.name.replace('Hòa', 'Hoà')))).toBe(hoa.name);
  });

  it.each([
    ['51', 'son ha', 'ambiguous:Xã Sơn Hà|Xã Sơn Hạ'],
    ['51', 'xã sơn ha', 'ambiguous:Xã Sơn Hà|Xã Sơn Hạ'],
    ['51', 'Xã Sơn Hạ', 'Xã Sơn Hạ'],
    ['51', 'Sơn Hà', 'Xã Sơn Hà'],
    ['80', 'xa tan thanh', 'ambiguous:Xã Tân Thành|Xã Tân Thạnh'],
    ['80', 'Tân Thạnh', 'Xã Tân Thạnh'],
    ['80', 'tân thành', 'Xã Tân Thành'],
    ['80', 'Tân Thanh', 'ambiguous:Xã Tân Thành|Xã Tân Thạnh'],
    ['82', 'tan thanh', 'ambiguous:Xã Tân Thành|Xã Tân Thạnh'],
    ['19', 'Văn Lăng', 'Xã Văn Lăng'],
    ['79', 'thanh an', 'ambiguous:Xã Thanh An|Xã Thạnh An'],
    ['79', 'Xã Thanh An', 'Xã Thanh An'],
    ['79', 'Thạnh An', 'Xã Thạnh An'],
  ])('names that fold alike: %s %j → %s', (code, text, expected) => {
    expect(communeOf(resolveCommune(code, text))).toBe(expected);
  });

  it('lets the type word settle a collision between a xã and a phường', () => {
    expect(communeOf(resolveCommune('38', 'dong tien'))).toBe('ambiguous:Xã Đồng Tiến|Phường Đông Tiến');
    expect(communeOf(resolveCommune('38', 'xa dong tien'))).toBe('Xã Đồng Tiến');
    expect(communeOf(resolveCommune('38', 'phuong dong tien'))).toBe('Phường Đông Tiến');
    expect(communeOf(resolveCommune('82', 'p. my tho'))).toBe('Phường Mỹ Tho');
  });

  it('still finds a commune called by its old type (many thị trấn and xã became phường)', () => {
    expect(communeOf(resolveCommune('01', 'xã Ba Đình'))).toBe('Phường Ba Đình');
  });

  it('lists all numbered communes when the number is missing', () => {
    expect(communeOf(resolveCommune('46', 'a luoi'))).toBe(
      'ambiguous:Xã A Lưới 2|Xã A Lưới 5|Xã A Lưới 1|Xã A Lưới 3|Xã A Lưới 4',
    );
    expect(communeOf(resolveCommune('68', 'phuong bao loc'))).toBe('ambiguous:Phường 2 Bảo Lộc|Phường 1 Bảo Lộc|Phường 3 Bảo Lộc');
    // an unnumbered namesake is an exact match (Xã Cát Tiên beside Xã Cát Tiên 2 and 3)
    expect(communeOf(resolveCommune('68', 'cat tien'))).toBe('Xã Cát Tiên');
  });

  it('forgives one typo when unique, and asks when the typo fits names that fold alike', () => {
    expect(resolveCommune('01', 'ba dinhh')).toMatchObject({ kind: 'found', match: 'one-edit', commune: { name: 'Phường Ba Đình' } });
    expect(resolveCommune('01', 'phuong ba din')).toMatchObject({ kind: 'found', match: 'one-edit', commune: { name: 'Phường Ba Đình' } });
    expect(resolveCommune('01', 'hoan kiemm')).toMatchObject({ kind: 'found', match: 'one-edit', commune: { name: 'Phường Hoàn Kiếm' } });
    expect(communeOf(resolveCommune('51', 'xa son haa'))).toBe('ambiguous:Xã Sơn Hà|Xã Sơn Hạ');
  });

  it('does not take common words for a commune a letter away', () => {
    expect(resolveCommune('01', 'vâng')).toEqual({ kind: 'unknown' }); // "Láng"
    expect(resolveCommune('14', 'huyện')).toEqual({ kind: 'unknown' }); // "Phù Yên" folded
  });

  it.each(['', 'asdf', 'không biết', 'khong biet', '123', 'xã', 'phường', 'hoan kiem lake'])(
    'nonsense or no name: %j → unknown',
    (text) => {
      expect(resolveCommune('01', text)).toEqual({ kind: 'unknown' });
    },
  );

  it('rejects a province code that does not exist', () => {
    expect(() => resolveCommune('99', 'ba dinh')).toThrow(RangeError);
  });
});

describe('resolvePlace', () => {
  it('finds every commune given as "commune, province" and as "commune province"', () => {
    for (const c of units.communes) {
      const p = units.province(c.provinceCode)!;
      for (const text of [`${c.name}, ${p.name}`, `${c.name} ${p.short}`]) {
        const r = resolvePlace(text);
        expect([provinceOf(r.province), communeOf(r.commune)], text).toEqual([p.code, c.name]);
      }
    }
  });

  it.each([
    ['xa tan thanh, tay ninh', '80', 'ambiguous:Xã Tân Thành|Xã Tân Thạnh', 'xa tan thanh'],
    ['xã Tân Thạnh, Tây Ninh', '80', 'Xã Tân Thạnh', 'xã Tân Thạnh'],
    ['phường Ba Đình Hà Nội', '01', 'Phường Ba Đình', 'phường Ba Đình'],
    ['phuong ba dinh thanh pho ha noi', '01', 'Phường Ba Đình', 'phuong ba dinh'],
    ['ba dinh hn', '01', 'Phường Ba Đình', 'ba dinh'],
    ['Hà Nội, Ba Đình', '01', 'Phường Ba Đình', 'Ba Đình'],
    ['Hội An, Quảng Nam', '48', 'Phường Hội An', 'Hội An'],
    ['hoi an quang nam', '48', 'Phường Hội An', 'hoi an'],
    ['Côn Đảo, Bà Rịa Vũng Tàu', '79', 'Đặc khu Côn Đảo', 'Côn Đảo'],
    ['p. sài gòn, q1, tphcm', '79', 'Phường Sài Gòn', 'p sài gòn'],
    ["Ea H'Leo, Đắk Lắk", '66', "Xã Ea H'Leo", "Ea H'Leo"],
    ['son ha quang ngai', '51', 'ambiguous:Xã Sơn Hà|Xã Sơn Hạ', 'son ha'],
    ['xã tân thạnh, huyện tân thạnh, tỉnh long an', '80', 'Xã Tân Thạnh', 'xã tân thạnh'],
    ['nhà em ở phường Ba Đình, Hà Nội ạ', '01', 'Phường Ba Đình', 'nhà em ở phường Ba Đình'],
    ['phường Bình Dương', '79', 'Phường Bình Dương', 'phường Bình Dương'],
    ['xa hoa binh ca mau', '96', 'Xã Hòa Bình', 'xa hoa binh'],
  ])('%j → province %s, commune %s', (text, code, commune, communeText) => {
    const r = resolvePlace(text);
    expect(provinceOf(r.province)).toBe(code);
    expect(communeOf(r.commune)).toBe(commune);
    expect(r.communeText).toBe(communeText);
  });

  it('reports how the province was recognised', () => {
    expect(resolvePlace('Hội An, Quảng Nam').province).toMatchObject({ via: 'old-name', oldName: 'Quảng Nam' });
    expect(resolvePlace('phường Ba Đình Hà Nội').province).toMatchObject({ via: 'current', match: 'exact' });
  });

  it('returns the province alone when no commune was named', () => {
    expect(resolvePlace('Tây Ninh')).toEqual({
      province: { kind: 'found', via: 'current', match: 'exact', province: units.province('80') },
      commune: { kind: 'unknown' },
      communeText: '',
    });
    // also a province whose name is a commune's too (Phường Bình Dương)
    expect(resolvePlace('Bình Dương')).toMatchObject({ commune: { kind: 'unknown' }, communeText: '' });
  });

  it('keeps the words it could not place, so the bot can ask again', () => {
    const r = resolvePlace('xóm trên, Tây Ninh');
    expect(provinceOf(r.province)).toBe('80');
    expect(r.commune).toEqual({ kind: 'unknown' });
    expect(r.communeText).toBe('xóm trên');
  });

  it('forgives a mistyped province, and lets the commune choose between two a typo fits', () => {
    const r = resolvePlace('xã Tân Thạnh, tây ninhh');
    expect(r.province).toMatchObject({ kind: 'found', match: 'one-edit', province: { code: '80' } });
    expect(communeOf(r.commune)).toBe('Xã Tân Thạnh');
    // "lien giang" is one letter from Tiền Giang (Đồng Tháp) and Kiên Giang (An Giang); Phú Quốc is in An Giang
    const pq = resolvePlace('Phú Quốc, lien giang');
    expect(pq.province).toMatchObject({ kind: 'found', match: 'one-edit', province: { code: '91' } });
    expect(communeOf(pq.commune)).toBe('Đặc khu Phú Quốc');
    expect(provinceOf(resolvePlace('lien giang').province)).toBe('ambiguous:82,91');
  });

  it('does not read a province into an ordinary sentence', () => {
    for (const text of [
      'bà nội tui lãnh trợ cấp người già ở xã, có đc nhà nước đóng BHYT ko',
      'bi bao luc gd thi bao cho ai, ubnd xa hay cong an',
      'mạ nuôi thằng cháu mồ côi mấy năm rồi, răng ko thấy xã hỗ trợ đồng nào',
      'Trước đây má tui lãnh tiền ở huyện, giờ bỏ huyện rồi thì má lãnh ở đâu?',
    ]) {
      expect(resolvePlace(text).province, text).toEqual({ kind: 'unknown' });
    }
  });

  it.each(['', 'asdf', 'không biết', 'ko biet nua', '12345', 'xã, phường'])('nonsense: %j → unknown', (text) => {
    expect(resolvePlace(text)).toEqual({ province: { kind: 'unknown' }, commune: { kind: 'unknown' }, communeText: '' });
  });

  it('stays fast on a very long answer', () => {
    const start = performance.now();
    resolvePlace('xã tân thạnh, '.repeat(2000) + 'tây ninh');
    resolvePlace('a b c d e f g h '.repeat(2000));
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('describePlace', () => {
  it('reads the place back in today\'s official names', () => {
    const hn = resolvePlace('phường Ba Đình Hà Nội');
    if (hn.province.kind !== 'found' || hn.commune.kind !== 'found') throw new Error('not found');
    expect(describePlace(hn.commune.commune, hn.province.province)).toBe('Phường Ba Đình, Thành phố Hà Nội');

    const hoiAn = resolvePlace('Hội An, Quảng Nam');
    if (hoiAn.province.kind !== 'found' || hoiAn.commune.kind !== 'found') throw new Error('not found');
    expect(describePlace(hoiAn.commune.commune, hoiAn.province.province)).toBe('Phường Hội An, Thành phố Đà Nẵng');

    const sonHa = units.communes.find((c) => c.name === 'Xã Sơn Hạ')!;
    expect(describePlace(sonHa, units.province('51')!)).toBe('Xã Sơn Hạ, Tỉnh Quảng Ngãi');
  });

  it('refuses a commune that is not in the province', () => {
    const baDinh = units.communesOf('01')[0]!;
    expect(() => describePlace(baDinh, units.province('79')!)).toThrow(RangeError);
  });
});

describe('withoutPlaceNames', () => {
  it('drops the place an answer names and keeps the rest', async () => {
    const { withoutPlaceNames } = await import('../src/flows/intake/places.js');
    expect(withoutPlaceNames('phuong hoi an, quang nam').replace(/[ ,]+/g, ' ').trim()).toBe('');
    expect(withoutPlaceNames('xã Tân Thành, Tây Ninh, chồng em đang đánh em')).toMatch(/chồng em đang đánh em/);
    expect(withoutPlaceNames('chong em dang danh em')).toBe('chong em dang danh em');
  });
});
