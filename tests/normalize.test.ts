import { describe, expect, it } from 'vitest';
import { foldDiacritics, normalizeSyllables } from '../src/kb/normalize.js';
import { KnowledgeBase } from '../src/kb/knowledge-base.js';
import { join } from 'node:path';

describe('Vietnamese normalisation', () => {
  it('folds diacritics and đ', () => {
    expect(foldDiacritics('Trợ cấp người khuyết tật Đặc biệt nặng')).toBe('tro cap nguoi khuyet tat dac biet nang');
  });

  it('expands chat abbreviations and regional words', () => {
    expect(normalizeSyllables('NKT dc bn tiền ko')).toEqual('nguoi khuyet tat duoc bao nhieu tien khong'.split(' '));
    expect(normalizeSyllables('UBND xã')).toEqual('uy ban nhan dan xa'.split(' '));
    expect(normalizeSyllables('tui lãnh lương xã hội')).toEqual('toi nhan tro cap xa hoi'.split(' '));
    expect(normalizeSyllables('tiền người già')).toEqual('tro cap nguoi cao tuoi'.split(' '));
    expect(normalizeSyllables('trẻ dưới 6t')).toEqual('tre duoi 6 tuoi'.split(' '));
    expect(normalizeSyllables('nộp online dc hok')).toEqual('nop truc tuyen duoc khong'.split(' '));
    // "t" is "tuổi" after a number and "tôi" elsewhere.
    expect(normalizeSyllables('me t 81t co dc lanh tien ko')).toEqual('me toi 81 tuoi co duoc nhan tien khong'.split(' '));
    expect(normalizeSyllables('tvtl online')).toEqual('tu van tam ly truc tuyen'.split(' '));
  });

  it('reads words spelled as they are said ("hồ xơ", "dấy tờ", "bảo chợ xã hội")', () => {
    expect(normalizeSyllables('làm hồ xơ cần dấy tờ gì')).toEqual('lam ho so can giay to gi'.split(' '));
    expect(normalizeSyllables('bảo chợ xã hội')).toEqual('bao tro xa hoi'.split(' '));
  });

  it('reads Telex "dd" typed before an abbreviation ("ddc" for "đc")', () => {
    expect(normalizeSyllables('hooj ngheof ddc hoox trowj gif')).toEqual('ho ngheo duoc ho tro gi'.split(' '));
    expect(normalizeSyllables('sdt ddt')).toEqual('so dien thoai dien thoai'.split(' '));
  });
});

describe('retrieval as citizens type', () => {
  const kb = KnowledgeBase.fromDirectory(join(import.meta.dirname, '..', 'knowledge'));
  it.each([
    ['tro cap nguoi khuyet tat bao nhieu', 'tro-cap-nguoi-khuyet-tat'],
    ['Trợ cấp người khuyết tật bao nhiêu?', 'tro-cap-nguoi-khuyet-tat'],
    ['NKT nang dc bn tien 1 thang', 'tro-cap-nguoi-khuyet-tat'],
    ['tro cap nguoi gia bao nhieu', 'tro-cap-nguoi-cao-tuoi'],
    ['má tui 82 tuổi hông có lương hưu thì lãnh nhiêu', 'tro-cap-nguoi-cao-tuoi'],
    ['lam giay xac nhan khuyet tat o dau', 'xac-dinh-muc-do-khuyet-tat'],
    ['the bhyt cho nguoi huong tro cap', 'bao-hiem-y-te'],
    ['muc chuan tro giup xa hoi hien nay', 'muc-chuan-tro-giup'],
    ['trợ cấp khuyêt tât', 'tro-cap-nguoi-khuyet-tat'],
    // "nhà" and "nhẹ" fold to the particles "nha" and "nhe" and must still count.
    ['nhà bị sập hoàn toàn thì được hỗ trợ bao nhiêu', 'tro-giup-khan-cap'],
  ])('"%s" finds %s', (text, topic) => {
    expect(kb.search(text, 1)[0]?.entry.topic).toBe(topic);
  });
});
