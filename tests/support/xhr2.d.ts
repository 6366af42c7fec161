// xhr2 ships no types; the tests only hand its constructor to botframework-directlinejs.
declare module 'xhr2';
