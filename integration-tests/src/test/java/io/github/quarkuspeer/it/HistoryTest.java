package io.github.quarkuspeer.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history checker, on histories written by hand. */
class HistoryTest {

    @Test
    void claimsOfTwoProcessesThatOverlapAreReported() {
        History history = History.parse("""
                claim 1 a %3Cdefault%3E 7 100 200
                claim 2 b %3Cdefault%3E 8 150 300
                """);

        assertThat(history.overlaps()).singleElement().satisfies(overlap -> {
            assertThat(overlap.first().pid()).isEqualTo(1);
            assertThat(overlap.second().pid()).isEqualTo(2);
            assertThat(overlap.duration().toNanos()).isEqualTo(50);
        });
        assertThatThrownBy(history::assertSafe).isInstanceOf(AssertionError.class)
                .hasMessageContaining("overlap of").hasMessageContaining("pid 1").hasMessageContaining("pid 2");
    }

    @Test
    void claimsThatTouchDoNotOverlapAndLeaveNoGap() {
        History history = History.parse("""
                claim 1 a i 7 100 200
                claim 2 b i 8 200 300
                """);

        assertThat(history.overlaps()).isEmpty();
        assertThat(history.gaps("i")).isEmpty();
        history.assertSafe();
    }

    @Test
    void anEndCutsAClaimShortOfItsDeadline() {
        History history = History.parse("""
                claim 1 a i 7 100 500
                end 1 a i 7 180
                claim 2 b i 8 190 300
                """);

        assertThat(history.claims("i")).first().satisfies(c -> assertThat(c.until()).isEqualTo(180));
        assertThat(history.overlaps()).isEmpty();
        assertThat(history.gaps("i")).singleElement().satisfies(gap -> {
            assertThat(gap.from()).isEqualTo(180);
            assertThat(gap.until()).isEqualTo(190);
        });
    }

    @Test
    void anEndAfterTheDeadlineDoesNotExtendTheClaim() {
        History history = History.parse("""
                claim 1 a i 7 100 200
                end 1 a i 7 250
                """);

        assertThat(history.claims("i")).singleElement().satisfies(c -> assertThat(c.until()).isEqualTo(200));
    }

    @Test
    void renewalsExtendOneClaimOfTheSameTerm() {
        History history = History.parse("""
                claim 1 a i 7 100 200
                claim 1 a i 7 100 300
                claim 1 a i 7 100 400
                claim 2 b i 8 350 500
                """);

        assertThat(history.claims("i")).hasSize(2);
        assertThat(history.claims("i").get(0).until()).isEqualTo(400);
        assertThat(history.overlaps()).hasSize(1);
    }

    @Test
    void gapsAreTheTimesWithNoClaimBetweenTheFirstAndTheLast() {
        History history = History.parse("""
                claim 1 a i 1 100 200
                claim 2 b i 2 250 400
                claim 3 c i 3 300 350
                claim 3 c i 4 450 500
                """);

        assertThat(history.gaps("i")).extracting(History.Gap::from, History.Gap::until)
                .containsExactly(tuple(200L, 250L),
                        tuple(400L, 450L));
        assertThat(history.longestGap("i").toNanos()).isEqualTo(50);
        // 3 within 2 is an overlap of two processes
        assertThat(history.overlaps()).hasSize(1);
    }

    @Test
    void instancesAreCheckedApart() {
        History history = History.parse("""
                claim 1 a %3Cdefault%3E 1 100 300
                claim 2 b reports 2 100 300
                """);

        assertThat(history.instances()).containsExactly("<default>", "reports");
        history.assertSafe();
    }

    @Test
    void twoTermsOfOneProcessDoNotCountAsAnOverlap() {
        History history = History.parse("""
                claim 1 a i 1 100 300
                claim 1 a i 2 250 400
                """);

        assertThat(history.overlaps()).isEmpty();
    }

    @Test
    void aTokenThatDoesNotIncreaseIsReported() {
        History history = History.parse("""
                claim 1 a i 5 100 200
                claim 2 b i 5 200 300
                """);

        assertThat(history.tokenRegressions()).hasSize(1);
        assertThatThrownBy(history::assertSafe).hasMessageContaining("token did not increase");
    }

    @Test
    void namesAreDecodedAndTwoProcessesMayShareOne() {
        History history = History.parse("""
                claim 1 the+twin i 1 100 200
                claim 2 the+twin i 2 150 250
                """);

        assertThat(history.claims()).extracting(Claim::node).containsOnly("the twin");
        assertThat(history.overlaps()).hasSize(1);
    }

    @Test
    void aLastLineCutShortByAKillIsLeftOut(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("n1" + History.FILE_SUFFIX), "claim 1 a i 1 100 200\nclaim 1 a i 1 100 3");
        Files.writeString(dir.resolve("n2" + History.FILE_SUFFIX), "claim 2 b i 2 200 300\n");

        History history = History.read(dir);

        assertThat(history.incompleteLines()).isEqualTo(1);
        assertThat(history.claims("i")).extracting(Claim::until).containsExactly(200L, 300L);
        history.assertSafe();
    }

    @Test
    void aMalformedLineFailsWithItsPlace() {
        assertThatThrownBy(() -> History.parse("claim 1 a i 1 100\n")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text:1");
    }

    @Test
    void aClaimFollowingAFaultIsFoundForMeasuringAHandover() {
        History history = History.parse("""
                claim 1 a i 1 100 200
                end 1 a i 1 150
                claim 2 b i 2 170 400
                """);

        assertThat(history.firstClaimFrom("i", 150)).hasValueSatisfying(c -> assertThat(c.pid()).isEqualTo(2));
        assertThat(history.claimAt("i", 160)).isEmpty();
        assertThat(history.claimAt("i", 170)).hasValueSatisfying(c -> assertThat(c.pid()).isEqualTo(2));
    }
}
