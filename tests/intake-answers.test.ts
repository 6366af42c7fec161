import { describe, expect, it } from 'vitest';
import {
  matchChoice,
  maskPersonalNumbers,
  normalisePhone,
  parseAge,
  parseYesNo,
  type Choice,
} from '../src/flows/intake/answers.js';

describe('normalisePhone: mobile numbers as citizens write them', () => {
  it.each([
    '0912345678',
    '0912.345.678',
    '0912-345-678',
    '0912 345 678',
    '091 234 5678',
    '09 12 34 56 78',
    '0 9 1 2 3 4 5 6 7 8',
    '0912  345  678',
    '0912 - 345 - 678',
    '+84 912 345 678',
    '+84912345678',
    '+84 (0) 912 345 678',
    '+840912345678',
    '84912345678',
    '84 912 345 678',
    '(+84)912345678',
    '(+84) 912 345 678',
    '(84) 912-345-678',
    '0084 912 345 678',
    '912 345 678',
    'sdt của tui là 0912 345 678 nha',
    'so dt cua toi 0912345678',
    'SĐT: 0912.345.678.',
    'dạ số con là 0912345678 ạ',
    'ông 80 tuổi, sdt 0912 345 678',
    'e 0912345678 nha',
    '０９１２３４５６７８',
    '0912345678, tức là +84 912 345 678',
    'goi so 0912345678 hoac 0912.345.678 deu dc',
  ])('%s', (text) => {
    expect(normalisePhone(text)).toEqual({ ok: true, e164: '+84912345678', display: '0912 345 678', kind: 'mobile' });
  });

  it.each([
    ['0321234567', '+84321234567', '0321 234 567'],
    ['0389 999 888', '+84389999888', '0389 999 888'],
    ['0523 456 789', '+84523456789', '0523 456 789'],
    ['0567.888.999', '+84567888999', '0567 888 999'],
    ['0592 123 456', '+84592123456', '0592 123 456'],
    ['0701234567', '+84701234567', '0701 234 567'],
    ['0786-111-222', '+84786111222', '0786 111 222'],
    ['0812 345 678', '+84812345678', '0812 345 678'],
    ['0868 123 456', '+84868123456', '0868 123 456'],
    ['0888888888', '+84888888888', '0888 888 888'],
    ['0987654321', '+84987654321', '0987 654 321'],
    ['sdt con gai tui 0983 123 456, goi gio hanh chinh', '+84983123456', '0983 123 456'],
  ])('%s is a mobile number', (text, e164, display) => {
    expect(normalisePhone(text)).toEqual({ ok: true, e164, display, kind: 'mobile' });
  });
});

describe('normalisePhone: landlines', () => {
  it.each([
    ['024 3825 1234', '+842438251234', '024 3825 1234'],
    ['02438251234', '+842438251234', '024 3825 1234'],
    ['(024) 3825 1234', '+842438251234', '024 3825 1234'],
    ['024.3825.1234', '+842438251234', '024 3825 1234'],
    ['+84 24 3825 1234', '+842438251234', '024 3825 1234'],
    ['842438251234', '+842438251234', '024 3825 1234'],
    ['028 3829 5555', '+842838295555', '028 3829 5555'],
    ['số bàn nhà tui 028.3829.5555', '+842838295555', '028 3829 5555'],
    ['0236 3822 123', '+842363822123', '0236 3822 123'],
    ['0292-3821-456', '+842923821456', '0292 3821 456'],
    ['0225 3842 999', '+842253842999', '0225 3842 999'],
  ])('%s is a landline', (text, e164, display) => {
    expect(normalisePhone(text)).toEqual({ ok: true, e164, display, kind: 'landline' });
  });
});

describe('normalisePhone: rejections', () => {
  it.each([
    ['01682345678', { e164: '+84382345678', display: '0382 345 678' }],
    ['0168 234 5678', { e164: '+84382345678', display: '0382 345 678' }],
    ['0168.234.5678', { e164: '+84382345678', display: '0382 345 678' }],
    ['+84 168 234 5678', { e164: '+84382345678', display: '0382 345 678' }],
    ['sdt cu cua tui 0122 333 4444', { e164: '+84773334444', display: '0773 334 444' }],
    ['01234567890', { e164: '+84834567890', display: '0834 567 890' }],
    ['0129 888 7777', { e164: '+84828887777', display: '0828 887 777' }],
    ['0199 123 4567', { e164: '+84591234567', display: '0591 234 567' }],
    ['0186 123 4567', { e164: '+84561234567', display: '0561 234 567' }],
  ])('%s looks like an old 11-digit mobile number', (text, suggestion) => {
    expect(normalisePhone(text)).toEqual({ ok: false, reason: 'old_mobile', suggestion: { ...suggestion, kind: 'mobile' } });
  });

  it('an old 01xx number without a known successor is still old, without a suggestion', () => {
    expect(normalisePhone('0111 234 5678')).toEqual({ ok: false, reason: 'old_mobile' });
  });

  it('a Hà Nội landline with the old 04 code suggests 024', () => {
    expect(normalisePhone('04 3825 1234')).toEqual({
      ok: false,
      reason: 'old_landline',
      suggestion: { e164: '+842438251234', display: '024 3825 1234', kind: 'landline' },
    });
  });

  it.each([
    ['091234567', 'too_short'],
    ['0912 345 67', 'too_short'],
    ['0912345', 'too_short'],
    ['số nhà 12', 'too_short'],
    ['1900 1234', 'too_short'],
    ['024 3825 123', 'too_short'],
    ['09123456789', 'too_long'],
    ['0912 345 6789', 'too_long'],
    ['024 3825 12345', 'too_long'],
    ['0612345678', 'unknown_prefix'],
    ['0412 345 6789', 'too_long'],
    ['1234567890', 'unknown_prefix'],
    ['+1 415 555 0123', 'not_vietnamese'],
    ['+44 20 7946 0958', 'not_vietnamese'],
    ['001234567890', 'looks_like_id'],
    ['079 123 456 789', 'looks_like_id'],
  ])('%s → %s', (text, reason) => {
    expect(normalisePhone(text)).toEqual({ ok: false, reason });
  });

  it.each(['hong nho so', 'ko co dien thoai', 'không có', 'chín một hai', 'xyz'])('letters only: %s', (text) => {
    expect(normalisePhone(text)).toEqual({ ok: false, reason: 'no_digits' });
  });

  it.each(['', '   ', '\n'])('empty answer %j', (text) => {
    expect(normalisePhone(text)).toEqual({ ok: false, reason: 'empty' });
  });

  it.each([
    '0912345678 hoặc 0987654321',
    '0912345678 / 0987654321',
    '0912345678, 0987654321',
    '0912 345 678 - 0987 654 321',
    '0912345678 0987654321',
    'tui 0912345678, con trai tui 0983123456',
    '0912345678\n0987654321',
    'so moi 0912345678 so cu 01682345678',
    'nhà 024 3825 1234, di động 0912 345 678',
    'sdt 0912345678 cccd 001234567890',
  ])('two different numbers: %s', (text) => {
    expect(normalisePhone(text)).toEqual({ ok: false, reason: 'several_numbers' });
  });

  it('a non-string payload is no number', () => {
    expect(normalisePhone(undefined as unknown as string)).toEqual({ ok: false, reason: 'empty' });
  });
});

describe('parseAge', () => {
  const now = new Date('2025-06-15T05:00:00Z');

  it.each([
    ['7', 7],
    ['7 tuổi', 7],
    ['7 tuoi', 7],
    ['7t', 7],
    ['7 t', 7],
    ['7tuổi', 7],
    ['chau 7 tuoi a', 7],
    ['bé nhà em 7 tuổi rưỡi', 7],
    ['2.5 tuổi', 2],
    ['2,5 tuoi', 2],
    ['e 15t', 15],
    ['ông 80t', 80],
    ['ông 80 tuổi rồi', 80],
    ['ong 80 may tuoi', 80],
    ['bà năm nay 80 tuổi, có 3 đứa con', 80],
    ['ba nam nay 80', 80],
    ['năm nay bà 75', 75],
    ['2 tuổi 3 tháng', 2],
    ['0', 0],
    ['120', 120],
    ['100 tuổi', 100],
    ['me tui 92 tuoi', 92],
    ['sinh 1950, 75 tuổi', 75],
    ['7 tuổi, học lớp 2', 7],
    ['không nhớ rõ, khoảng 70', 70],
  ])('digits: %s → %i', (text, age) => {
    expect(parseAge(text, now)).toBe(age);
  });

  it.each([
    ['bảy tuổi', 7],
    ['bay tuoi', 7],
    ['Bảy', 7],
    ['bẩy tuổi', 7],
    ['hai', 2],
    ['năm tuổi', 5],
    ['mười', 10],
    ['mười lăm', 15],
    ['muoi lam', 15],
    ['mười một tuổi', 11],
    ['mười bốn', 14],
    ['hai mươi', 20],
    ['hai mươi mốt', 21],
    ['hai muoi tu', 24],
    ['ba mươi lăm tuổi', 35],
    ['bốn chục', 40],
    ['năm mươi', 50],
    ['tám mươi lăm', 85],
    ['tám lăm', 85],
    ['ông tám lăm rồi', 85],
    ['bảy hai tuổi', 72],
    ['chín mươi chín', 99],
    ['bà tám mươi', 80],
    ['ba tam muoi tuoi', 80],
    ['một trăm', 100],
    ['một trăm lẻ hai tuổi', 102],
    ['tram linh nam', 105],
    ['bà bảy mươi tuổi rồi', 70],
  ])('words: %s → %i', (text, age) => {
    expect(parseAge(text, now)).toBe(age);
  });

  it.each([
    ['8 tháng', 0],
    ['8 thang', 0],
    ['8th', 0],
    ['bé 11 tháng tuổi', 0],
    ['18 tháng', 1],
    ['30 thang', 2],
    ['tám tháng', 0],
    ['3 tuần', 0],
    ['10 ngày', 0],
    ['sơ sinh', 0],
    ['mới sinh', 0],
  ])('babies: %s → %i', (text, age) => {
    expect(parseAge(text, now)).toBe(age);
  });

  it.each([
    ['sinh năm 1950', 75],
    ['sinh nam 1950', 75],
    ['sn 1950', 75],
    ['năm sinh: 1945', 80],
    ['ông sinh năm 1940', 85],
    ['1950', 75],
    ['đẻ năm 2018', 7],
    ['sinh năm 50', 75],
    ['sn 85', 40],
    ['sinh nam 15', 10],
    ['sinh 2025', 0],
    ['12/05/1950', 75],
    ['sinh ngày 20/06/1950', 74],
    ['20-6-1950', 74],
    ['sinh ngày 12 tháng 5 năm 1950', 75],
    ['15/06/2015', 10],
  ])('birth: %s → %i (on 15/6/2025)', (text, age) => {
    expect(parseAge(text, now)).toBe(age);
  });

  it('counts in Vietnam time: 23:30 UTC on 14/6 is already 15/6 in Hà Nội', () => {
    expect(parseAge('15/06/2015', new Date('2025-06-14T23:30:00Z'))).toBe(10);
    expect(parseAge('15/06/2015', new Date('2025-06-14T16:00:00Z'))).toBe(9);
  });

  it.each([
    '',
    'không biết',
    'ko nho',
    '150 tuổi',
    '121',
    '0912345678',
    'sinh năm 2030',
    '31/02/1950',
    '7-8 tuổi',
    '7 đến 8 tuổi',
    'bảy tám tuổi',
    'hai ba tuoi',
    'đứa lớn 7 tuổi, đứa nhỏ 3 tuổi',
    '7 và 8',
    'bây giờ ông mệt lắm',
  ])('no age: %j', (text) => {
    expect(parseAge(text, now)).toBeNull();
  });
});

describe('matchChoice', () => {
  const who: Choice<'nct' | 'nkt' | 'tre' | 'khac'>[] = [
    { id: 'nct', label: 'Người cao tuổi', synonyms: ['ông bà', 'người già', 'cụ'] },
    { id: 'nkt', label: 'Người khuyết tật', synonyms: ['tàn tật', 'bị tật'] },
    { id: 'tre', label: 'Trẻ em', synonyms: ['con nhỏ', 'cháu nhỏ', 'em bé'] },
    { id: 'khac', label: 'Trường hợp khác', synonyms: [] },
  ];

  it.each([
    ['1', 'nct'],
    ['2', 'nkt'],
    ['3.', 'tre'],
    ['so 2', 'nkt'],
    ['số 2 ạ', 'nkt'],
    ['chọn số 3', 'tre'],
    ['cái thứ 2', 'nkt'],
    ['phương án 4', 'khac'],
    ['dạ 1', 'nct'],
    ['số hai', 'nkt'],
    ['so ba', 'tre'],
    ['thứ nhất', 'nct'],
    ['cai thu tu', 'khac'],
  ])('by number: %s → %s', (text, id) => {
    expect(matchChoice(text, who)).toBe(id);
  });

  it.each([
    ['Người cao tuổi', 'nct'],
    ['nguoi cao tuoi', 'nct'],
    ['NGUOI CAO TUOI', 'nct'],
    ['người già', 'nct'],
    ['nguoi gia', 'nct'],
    ['NCT', 'nct'],
    ['dạ người cao tuổi ạ', 'nct'],
    ['ông bà', 'nct'],
    ['nguoi khuyet tat', 'nkt'],
    ['NKT', 'nkt'],
    ['tan tat', 'nkt'],
    ['con tui bi tat o chan', 'nkt'],
    ['tre em', 'tre'],
    ['em bé', 'tre'],
    ['truong hop khac', 'khac'],
    ['khác', 'khac'],
    ['khuyết tật', 'nkt'],
    ['cho mẹ tui, bà là người già rồi', 'nct'],
    ['không phải người già, là người khuyết tật', 'nkt'],
  ])('by label or synonym: %s → %s', (text, id) => {
    expect(matchChoice(text, who)).toBe(id);
  });

  it.each([
    ['nguoi khuyet tac', 'nkt'],
    ['nguoi khuyte tat', 'nkt'],
    ['ngươi cao tuoj', 'nct'],
    ['nguoi cao tuôi', 'nct'],
    ['tre emm', 'tre'],
    ['truong hop khak', 'khac'],
  ])('with a typo: %s → %s', (text, id) => {
    expect(matchChoice(text, who)).toBe(id);
  });

  it.each([
    ['người', ['nct', 'nkt']],
    ['người già bị khuyết tật', ['nct', 'nkt']],
    ['ông bà với con nhỏ', ['nct', 'tre']],
    ['1 và 2', ['nct', 'nkt']],
    ['so 1 hoac so 3', ['nct', 'tre']],
  ])('ambiguous: %s', (text, ids) => {
    expect(matchChoice(text, who)).toEqual({ ambiguous: ids });
  });

  it.each(['', '???', '5', 'số 9', 'tôi muốn hỏi tiền điện', 'abc'])('nothing: %j', (text) => {
    expect(matchChoice(text, who)).toBeNull();
  });

  it('the longer option wins when one holds the other', () => {
    const levels: Choice[] = [
      { id: 'nang', label: 'Khuyết tật nặng', synonyms: [] },
      { id: 'dbn', label: 'Khuyết tật đặc biệt nặng', synonyms: [] },
    ];
    expect(matchChoice('khuyet tat dac biet nang', levels)).toBe('dbn');
    expect(matchChoice('khuyết tật nặng', levels)).toBe('nang');
    expect(matchChoice('dac biet nang', levels)).toBe('dbn');
  });

  it('a label that is itself a word wins over the number words ("bà" is not 3)', () => {
    const kin: Choice[] = [
      { id: 'ong', label: 'Ông', synonyms: [] },
      { id: 'ba', label: 'Bà', synonyms: [] },
      { id: 'con', label: 'Con', synonyms: ['con cái'] },
    ];
    expect(matchChoice('ba', kin)).toBe('ba');
    expect(matchChoice('bà', kin)).toBe('ba');
    expect(matchChoice('3', kin)).toBe('con');
  });

  it('yes/no style options read teencode and negation', () => {
    const yn: Choice[] = [
      { id: 'co', label: 'Có', synonyms: [] },
      { id: 'khong', label: 'Không', synonyms: [] },
    ];
    expect(matchChoice('ko', yn)).toBe('khong');
    expect(matchChoice('k', yn)).toBe('khong');
    expect(matchChoice('không có', yn)).toBe('khong');
    expect(matchChoice('co', yn)).toBe('co');
  });

  it('labels holding numbers are matched as text when the number is no option number', () => {
    const ages: Choice[] = [
      { id: 'u6', label: 'Dưới 6 tuổi', synonyms: [] },
      { id: 'o80', label: 'Từ 80 tuổi trở lên', synonyms: ['trên 80'] },
    ];
    expect(matchChoice('tren 80', ages)).toBe('o80');
    expect(matchChoice('duoi 6t', ages)).toBe('u6');
    expect(matchChoice('2', ages)).toBe('o80');
  });

  it('rejects a broken option list', () => {
    expect(() => matchChoice('1', [])).toThrow();
    expect(() =>
      matchChoice('1', [
        { id: 'a', label: 'A', synonyms: [] },
        { id: 'a', label: 'B', synonyms: [] },
      ]),
    ).toThrow(/unique/);
    expect(() => matchChoice('1', [{ id: 'a', label: ' ', synonyms: [] }])).toThrow();
  });
});

describe('parseYesNo', () => {
  it.each([
    'có',
    'co',
    'Có ạ',
    'dạ có',
    'dạ có ạ',
    'có chứ',
    'cos',
    'cóooo',
    'ừ',
    'u',
    'ừm',
    'uh',
    'uhm',
    'ok',
    'OK',
    'oke',
    'okie',
    'okkk',
    'ô kê',
    'vâng',
    'vang a',
    'dạ',
    'dạ vâng',
    'đồng ý',
    'dong y',
    'Tôi đồng ý',
    'e đồng ý ạ',
    'hoàn toàn đồng ý',
    'đúng rồi',
    'dung roi',
    'đúng',
    'đúng vậy',
    'phải',
    'phải rồi',
    'được',
    'dc',
    'đc',
    'được rồi',
    'chắc chắn',
    'chính xác',
    'tất nhiên',
    'yes',
    'y',
    'rồi',
    'có, nhưng ít thôi',
    '👍',
  ])('yes: %s', (text) => {
    expect(parseYesNo(text)).toBe('yes');
  });

  it.each([
    'không',
    'khong',
    'ko',
    'k',
    'K',
    'kh',
    'khg',
    'hông',
    'hong',
    'hổng',
    'hok',
    'hem',
    'khum',
    'khoong',
    'khônggggg',
    'không ạ',
    'dạ không',
    'dạ không ạ',
    'vâng, không có',
    'không có',
    'ko co',
    'không đồng ý',
    'khong dong y',
    'ko dong y',
    'Tôi không đồng ý',
    'hoàn toàn không đồng ý',
    'không phải',
    'không đúng',
    'sai',
    'sai rồi',
    'chưa',
    'chưa có',
    'không được',
    'ko dc',
    'ko ok',
    'thôi',
    'dạ thôi',
    'đâu có',
    'không ai chăm sóc hết',
    'no',
    '👎',
  ])('no: %s', (text) => {
    expect(parseYesNo(text)).toBe('no');
  });

  it.each([
    '',
    'không biết',
    'ko biet nua',
    'chưa biết',
    'có lẽ',
    'có thể',
    'không chắc',
    'ừ, chắc vậy',
    'đúng không?',
    'có được không',
    'phải không ạ',
    'đồng ý không',
    'không sao',
    'tôi muốn hỏi về trợ cấp',
    'hả',
    'tùy',
    'chắc không',
    'đồng',
    'ý tôi là hỏi khác',
    'chả biết',
  ])('neither: %j', (text) => {
    expect(parseYesNo(text)).toBeNull();
  });
});

describe('maskPersonalNumbers', () => {
  it.each([
    ['sdt 0912345678', 'sdt ***78'],
    ['sdt của tui là 0912 345 678 nha', 'sdt của tui là ***78 nha'],
    ['0912.345.678', '***78'],
    ['0912-345-678', '***78'],
    ['+84 912 345 678', '***78'],
    ['(+84)912345678', '***78'],
    ['gọi 84912345678 nhé', 'gọi ***78 nhé'],
    ['bàn: 024 3825 1234', 'bàn: ***34'],
    ['(024) 3825 1234', '***34'],
    ['số cũ 0168 234 5678', 'số cũ ***78'],
    ['CCCD 001234567890', 'CCCD ***90'],
    ['cccd: 079 123 456 789', 'cccd: ***89'],
    ['cmnd 123456789', 'cmnd ***89'],
    ['CMND số 025.123.456', 'CMND số ***56'],
    ['stk 1903 4567 8901 23', 'stk ***23'],
    ['ông 80 tuổi, sdt 0912 345 678', 'ông 80 tuổi, sdt ***78'],
    ['80 0912345678', '80 ***78'],
    ['0912345678 hoặc 0987654321', '***78 hoặc ***21'],
    ['0912 345 678 - 0987 654 321', '***78 - ***21'],
    ['sdt 0912345678 cccd 001234567890', 'sdt ***78 cccd ***90'],
    ['０９１２３４５６７８', '***78'],
  ])('%s', (text, masked) => {
    expect(maskPersonalNumbers(text)).toBe(masked);
  });

  it.each([
    'ông 80 tuổi, sinh năm 1945',
    'sinh ngày 12/05/1950',
    'sinh ngày 12.05.1950',
    'trợ cấp 1.500.000 đồng một tháng',
    'được 150.000.000 đồng',
    'hộ nghèo có thu nhập 1 500 000 000 đ',
    'gọi 111 hoặc 115',
    'số nhà 12, ngõ 345',
    'không có số',
    '',
  ])('leaves alone: %j', (text) => {
    expect(maskPersonalNumbers(text)).toBe(text);
  });

  it('never leaves nine digits in a row behind', () => {
    const samples = [
      'sdt 0912345678, cccd 001234567890, cmnd 123456789, nhà 02438251234',
      'so cu 01682345678 so moi 0382345678 (+84)912345678 0084912345678',
    ];
    for (const s of samples) expect(maskPersonalNumbers(s).replace(/[^\d]/g, ' ')).not.toMatch(/\d{9}/);
  });
});
